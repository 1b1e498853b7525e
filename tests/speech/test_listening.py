"""ScriptedAudioSource, the endpointer and AudioListener on real synthesized speech."""

from __future__ import annotations

import io
import time

import numpy as np
import pytest

from bench import testaudio as ta
from voice.errors import EndOfInput, InputError
from voice.speech.audio import RATE, float_to_int16, resample, write_wav
from voice.speech.endpoint import Endpointer, State
from voice.speech.listening import AudioListener
from voice.speech.pocketsphinx import PocketSphinxRecognizer
from voice.speech.scripted import ScriptedAudioSource
from voice.triage.loader import load_content

pytestmark = pytest.mark.speech


@pytest.fixture(scope="module")
def recognizer():
    rec = PocketSphinxRecognizer()
    yield rec
    rec.close()


@pytest.fixture(scope="module")
def yes_no(grammar):
    return grammar.expectation(load_content().questions["ces_screen"])


def _drain(src) -> np.ndarray:
    out = []
    while (f := src.read()) is not None:
        assert f.dtype == np.int16 and len(f) == 160
        out.append(f)
    return np.concatenate(out) if out else np.zeros(0, np.int16)


def _stereo_wav(path, pcm16k: np.ndarray, rate: int) -> None:
    """A 16-bit stereo WAV at `rate`, written by hand (the reader must handle it)."""
    import struct

    x = resample(pcm16k.astype(np.float32) / 32768.0, RATE, rate)
    left = float_to_int16(x)
    right = float_to_int16(x * 0.5)
    data = np.stack([left, right], axis=1).astype("<i2").tobytes()
    header = b"RIFF" + struct.pack("<I", 36 + len(data)) + b"WAVE"
    header += b"fmt " + struct.pack("<IHHIIHH", 16, 1, 2, rate, rate * 4, 4, 16)
    header += b"data" + struct.pack("<I", len(data))
    path.write_bytes(header + data)


def test_scripted_source_any_rate_stereo_silence_and_eof(tmp_path):
    speech = ta.speak("about three weeks")
    stereo = tmp_path / "stereo44.wav"
    _stereo_wav(stereo, speech, 44100)
    mono8 = tmp_path / "mono8k.wav"
    write_wav(mono8, float_to_int16(resample(speech.astype(np.float32) / 32768, RATE, 8000)), 8000)
    src = ScriptedAudioSource(io.StringIO(f"{stereo}\n\n{mono8}\n"), fast=True)
    src.begin_turn()
    got = _drain(src)
    trailing = int(1.5 * RATE)
    assert abs(len(got) - trailing - len(speech)) <= 160
    assert np.all(got[-trailing + 160:] == 0)
    # the louder left and quieter right channel are averaged: about 0.75 of the mono level
    level = np.abs(got[: len(speech)].astype(float)).mean() / np.abs(speech.astype(float)).mean()
    assert 0.65 < level < 0.85
    src.begin_turn()  # empty line: a silent turn
    silent = _drain(src)
    assert len(silent) == trailing and not silent.any()
    src.begin_turn()
    assert abs(len(_drain(src)) - trailing - len(speech)) <= 320
    with pytest.raises(EndOfInput):
        src.begin_turn()


def test_unreadable_file_is_an_input_error_naming_it_and_the_next_line_still_works(tmp_path):
    # The session turns the error into an `error` event and asks again (tests/test_bad_input.py).
    bad = tmp_path / "not-a-wav.wav"
    bad.write_text("hello")
    good = tmp_path / "quiet.wav"
    write_wav(good, ta.silence(0.2))
    src = ScriptedAudioSource(io.StringIO(f"{tmp_path / 'missing.wav'}\n{bad}\n{good}\n"), fast=True)
    for name in ("missing.wav", "not-a-wav.wav"):
        with pytest.raises(InputError) as raised:
            src.begin_turn()
        assert raised.value.where.endswith(name) and raised.value.fix
    src.begin_turn()
    assert len(_drain(src)) > 0


def test_real_time_pacing_versus_fast(tmp_path):
    path = tmp_path / "a.wav"
    write_wav(path, ta.silence(0.2))
    paced = ScriptedAudioSource(io.StringIO(f"{path}\n"), fast=False, trailing_silence=0.3)
    paced.begin_turn()
    t = time.monotonic()
    n = len(_drain(paced)) / RATE
    slow = time.monotonic() - t
    fast = ScriptedAudioSource(io.StringIO(f"{path}\n"), fast=True, trailing_silence=0.3)
    fast.begin_turn()
    t = time.monotonic()
    _drain(fast)
    quick = time.monotonic() - t
    assert n == pytest.approx(0.5, abs=0.011)
    assert slow >= 0.45  # frame k is not handed out before turn start + k * 10 ms
    assert quick < slow / 3


def test_endpointer_finds_start_and_end_with_preroll():
    speech = ta.speak("i think so")
    pcm = np.concatenate([ta.silence(1.0), speech, ta.silence(1.5)])
    rng = np.random.default_rng(1)
    pcm = np.clip(pcm + rng.normal(0, 40, len(pcm)), -32768, 32767).astype(np.int16)  # a quiet room
    ep = Endpointer()
    kept = 0
    start_seen = None
    for i in range(0, len(pcm), 160):
        out = ep.push(pcm[i : i + 160])
        if out and start_seen is None:
            start_seen = i // 160
            kept = len(out)
        if ep.state is State.ENDED:
            break
    assert ep.state is State.ENDED
    assert abs(ep.start_frame - 100) <= 5  # speech begins at 1.0 s
    true_end = (100 * 160 + len(speech)) // 160
    assert abs(ep.last_speech_frame - true_end) <= 8
    assert kept >= 30  # the 300 ms pre-roll is handed over with the start
    assert ep.frames_seen - 1 - ep.last_speech_frame == 70  # the 700 ms hangover


def test_listener_hears_an_answer_and_reports_speech_end(tmp_path, recognizer, grammar, yes_no):
    path = ta.write_wav_file(tmp_path / "unsure.wav", np.concatenate([ta.silence(0.8), ta.speak("not sure"),
                                                                       ta.silence(0.5)]))
    src = ScriptedAudioSource(io.StringIO(f"{path}\n"), fast=True)
    listener = AudioListener(src, recognizer)
    calls = []
    utt = listener.listen(yes_no, on_speech=lambda: calls.append(time.monotonic()))
    assert calls and len(calls) == 1
    assert grammar.understand(utt.text, load_content().questions["ces_screen"]).answer == "unsure"
    assert 0 < utt.confidence <= 1
    assert utt.speech_end is not None and utt.speech_end >= calls[0]
    assert abs(listener.last_turn["start_frame"] - 80) <= 5
    assert listener.last_turn["early"]  # a complete sentence: the short hangover was enough


def test_silence_and_empty_lines_are_no_input(tmp_path, recognizer, yes_no):
    quiet = ta.write_wav_file(tmp_path / "quiet.wav", ta.silence(1.0))
    src = ScriptedAudioSource(io.StringIO(f"{quiet}\n\n"), fast=True)
    listener = AudioListener(src, recognizer)
    assert listener.listen(yes_no).text is None
    assert listener.listen(yes_no).text is None
    with pytest.raises(EndOfInput):
        listener.listen(yes_no)


def test_noinput_timeout_counts_audio_time(tmp_path, recognizer, yes_no):
    long_quiet = ta.write_wav_file(tmp_path / "long.wav", ta.silence(4.0))
    src = ScriptedAudioSource(io.StringIO(f"{long_quiet}\n"), fast=True)
    listener = AudioListener(src, recognizer, noinput_timeout=2.0)
    assert listener.listen(yes_no).text is None
    assert listener.last_turn["frames"] == 200


def test_maximum_utterance_length_cuts_long_speech(tmp_path, recognizer, yes_no):
    talk = ta.speak("the weather is lovely today and I walked the dog along the river for a long time")
    path = ta.write_wav_file(tmp_path / "long.wav", np.concatenate([ta.silence(0.5), talk]))
    listener = AudioListener(ScriptedAudioSource(io.StringIO(f"{path}\n"), fast=True), recognizer,
                             max_utterance=2.0)
    listener.listen(yes_no)
    assert listener.last_turn["frames"] <= 50 + 200 + 20


def test_a_no_to_a_red_flag_question_is_not_cut_off_at_a_short_pause(tmp_path, recognizer, grammar):
    """ "no, but my inner thighs are numb", said with a pause after the "no": the short pause that ends
    a complete answer ended the turn at "no", and the screen was taken as no. On a red-flag question
    a no is held to the full hangover (`Expectation.held`), so what follows it is heard; elsewhere a
    complete answer still ends at the short pause."""
    said = np.concatenate([ta.silence(0.6), ta.speak("no"), ta.silence(0.45),
                           ta.speak("but my inner thighs are numb"), ta.silence(1.0)])
    path = ta.write_wav_file(tmp_path / "no_but.wav", said)
    screen = load_content().questions["ces_screen"]
    red_flag = grammar.expectation(screen, guard="yes")
    assert {"no", "not sure"} <= set(red_flag.held)
    listener = AudioListener(ScriptedAudioSource(io.StringIO(f"{path}\n{path}\n"), fast=True), recognizer)
    listener.listen(red_flag)
    assert not listener.last_turn["early"]
    held_to = listener.last_turn["last_speech_frame"]
    listener.listen(grammar.expectation(screen))  # no guard: a plain "no" may end the turn early
    assert listener.last_turn["early"]
    assert listener.last_turn["last_speech_frame"] < held_to - 50  # the words after the pause were cut


def test_a_screens_yes_waits_for_the_sign_it_may_name(tmp_path, recognizer, grammar):
    """ "yes, I had a baby four weeks ago" to "pregnant, or a baby in the last six weeks?" was heard
    as "yes": the yes of an "any of these?" screen is held to the longer pause, so the sign it names
    after a spoken comma is heard; a one-sign red-flag question's yes still ends at the short one."""
    questions = load_content().questions
    screen = grammar.expectation(questions["danger_screen"], guard="yes")
    single = grammar.expectation(questions["fever"], guard="yes")
    assert "yes" in screen.held and "yes" not in single.held and "no" in single.held
    said = np.concatenate([ta.silence(0.6), ta.speak("yes"), ta.silence(0.4), ta.speak("I had a fall"),
                           ta.silence(1.0)])
    path = ta.write_wav_file(tmp_path / "yes_named.wav", said)
    listener = AudioListener(ScriptedAudioSource(io.StringIO(f"{path}\n{path}\n"), fast=True), recognizer)
    listener.listen(screen)
    held_to = listener.last_turn["last_speech_frame"]
    listener.listen(single)
    assert listener.last_turn["early"]
    assert listener.last_turn["last_speech_frame"] < held_to - 50  # cut after the yes; the screen's was not
