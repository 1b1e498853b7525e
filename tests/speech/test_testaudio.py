"""The test-speech generator: deterministic espeak-ng answers and babble at a chosen SNR."""

from __future__ import annotations

import numpy as np
import pytest

from bench import testaudio
from voice.speech.audio import RATE, read_wav

pytestmark = pytest.mark.speech


def test_speech_is_deterministic_and_voices_differ():
    a = testaudio.speak("yes I think so", testaudio.VOICES[0])
    assert np.array_equal(a, testaudio.speak("yes I think so", testaudio.VOICES[0]))
    b = testaudio.speak("yes I think so", testaudio.VOICES[2])
    assert a.dtype == np.int16 and 0.5 < len(a) / RATE < 3
    assert len(a) != len(b) or not np.array_equal(a, b)
    assert len({v.label for v in testaudio.VOICES}) >= 6


@pytest.mark.parametrize("snr", [20, 10, 5, 0])
def test_babble_is_mixed_at_the_asked_snr(snr):
    speech = testaudio.speak("about three weeks")
    noise = testaudio.babble(len(speech) / RATE + 2, seed=7)
    assert np.array_equal(noise, testaudio.babble(len(speech) / RATE + 2, seed=7))
    before, after = 0.6, 0.8
    mixed = testaudio.mix_snr(speech, noise, snr, before, after).astype(np.float64)
    start = int(before * RATE)
    part = mixed[start : start + len(speech)]
    noise_part = part - speech.astype(np.float64) * (1.0 if np.abs(mixed).max() < 32000 else np.nan)
    measured = 10 * np.log10(np.mean(speech.astype(np.float64) ** 2) / np.mean(noise_part**2))
    assert abs(measured - snr) < 0.5
    # The babble is there before and after the answer too.
    assert np.sqrt(np.mean(mixed[: start // 2] ** 2)) > 10


def test_answer_file_round_trips(tmp_path):
    path = testaudio.answer_file(tmp_path, "no", testaudio.VOICES[1], snr_db=10, seed=3)
    assert path == testaudio.answer_file(tmp_path, "no", testaudio.VOICES[1], snr_db=10, seed=3)
    pcm = read_wav(path)
    assert len(pcm) / RATE > 0.6 + 0.8
