"""The same audio gives the same `heard` events: decoding is greedy (or the retry beam), never sampled,
and what the decode begun in a pause is reused for depends on the audio only, not on threads or on
real-time pacing. The same answers (in babble, numbers and yes/no) are played twice through a whole
session with the command line's recognizer (Whisper, PocketSphinx as its second opinion), once as
fast as they can be read and once at the pace of a microphone."""

from __future__ import annotations

import io
import json

import pytest

from bench import testaudio as ta
from voice.app.text_io import TranscriptSpeaker
from voice.dialog.events import Events
from voice.dialog.session import Session, SessionSettings
from voice.speech import whisper_models
from voice.speech.listening import AudioListener
from voice.speech.scripted import ScriptedAudioSource
from voice.triage.loader import load_content
from voice.understanding import Grammar

MODEL = whisper_models.find_whisper_model()
pytestmark = [pytest.mark.speech,
              pytest.mark.skipif(MODEL is None, reason="no Whisper model: run tools/setup.sh")]

# Said in 10 dB babble (and one clean), by two voices: the first questions of a session.
SAID = [("no", 10.0, 2), ("nope", 10.0, 5), ("seventy eight", 10.0, 2), ("sixty three", 10.0, 5),
        ("I'm about five", None, 2), ("no", 10.0, 5)]


@pytest.fixture(scope="module")
def whisper():
    from voice.speech.whisper import WhisperRecognizer

    rec = WhisperRecognizer(MODEL)
    yield rec
    rec.close()


def heard_events(whisper, wavs, fast: bool) -> list[dict]:
    """The `heard` events of one session over `wavs`, heard as a new process would: the model loaded
    once, the recognizers new (PocketSphinx's estimate of the channel, its cepstral mean, carries
    over from one turn to the next by design, so a session is a function of its audio from the start)."""
    from voice.speech.listening import with_second_opinion
    from voice.speech.whisper import WhisperRecognizer

    out = io.StringIO()
    lines = io.StringIO("".join(f"{w}\n" for w in wavs))
    product = with_second_opinion(WhisperRecognizer(MODEL, model=whisper._model))
    listener = AudioListener(ScriptedAudioSource(lines, fast=fast), product)
    try:
        Session(load_content(), Grammar.load(), listener, TranscriptSpeaker(None), Events(out),
                settings=SessionSettings(welcome=False)).run()
    finally:
        product.first._worker.shutdown()
        product.second.close()
    events = [json.loads(line) for line in out.getvalue().splitlines()]
    return [{k: v for k, v in e.items() if k not in ("t", "latency_ms")}
            for e in events if e["event"] == "heard"]


def test_the_same_audio_twice_gives_identical_heard_events(whisper, tmp_path):
    wavs = [ta.answer_file(tmp_path, text, ta.VOICES[voice], snr, seed=i)
            for i, (text, snr, voice) in enumerate(SAID)]
    # Played twice: once as fast as it can be read, once at a microphone's pace (threads and timing
    # differ most between these two, so a second fast run would add nothing they do not test).
    first = heard_events(whisper, wavs, fast=True)
    assert len(first) >= 4, first
    assert heard_events(whisper, wavs, fast=False) == first, "the same audio, heard again, gave other events"
