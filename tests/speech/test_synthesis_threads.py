"""espeak-ng from two threads at changing rates and voices: every sentence whole, at its own rate.

Regression test for the SIGSEGV inside espeak_Synth (pyttsx3's asynchronous driver raced espeak-ng's
own thread) and for the rate that applied one sentence late in that mode. The reference for each
(sentence, rate, voice) is the espeak-ng command's own output, made in another process.
"""

from __future__ import annotations

import io
import random
import subprocess
import threading

import numpy as np
import pytest

from voice.errors import AudioDeviceError
from voice.speech.audio import float_to_int16, read_wav_raw, to_mono
from voice.speech.rate_volume import RATE_LIMITS, RATE_STEP
from voice.speech.tts import Synthesizer

TEXTS = ["Do you have a fever?", "How old are you?", "Did the pain start after lifting something heavy?",
         "Is the pain worse at night?"]
RATES = list(range(RATE_LIMITS[0], RATE_LIMITS[1] + 1, RATE_STEP))
"""Every rate the slower and faster commands reach (90 to 230 words per minute)."""
VOICES = [None, "gmw/en-US"]
ROUNDS = 3
TOLERANCE = 0.04
"""Largest relative difference in spoken length from the espeak-ng command's (measured: 1.6%)."""


def voiced_length(samples: np.ndarray) -> int:
    """Samples from the first to the last non-zero one (the pause espeak-ng adds at the end varies)."""
    nonzero = np.nonzero(samples)[0]
    return int(nonzero[-1] - nonzero[0] + 1) if len(nonzero) else 0


def command_length(text: str, rate: int, voice: str | None) -> int:
    wav = subprocess.run(["espeak-ng", "-v", voice or "en", "-s", str(rate), "--stdout", text],
                         capture_output=True, check=True, timeout=30).stdout
    x, _ = read_wav_raw(io.BytesIO(wav))
    return voiced_length(float_to_int16(to_mono(x)))


@pytest.fixture(scope="module")
def references() -> dict[tuple[str, int, str | None], int]:
    return {(text, rate, voice): command_length(text, rate, voice)
            for voice in VOICES for text in TEXTS for rate in RATES}


@pytest.mark.speech
def test_references_tell_neighbouring_rates_apart(references):
    """The check below can see a rate one step off: neighbouring rates differ by more than twice the
    tolerance."""
    for voice in VOICES:
        for text in TEXTS:
            lengths = [references[text, rate, voice] for rate in RATES]
            gaps = [slow / fast - 1 for slow, fast in zip(lengths, lengths[1:], strict=False)]
            assert min(gaps) > 2 * TOLERANCE, (text, voice, gaps)


@pytest.mark.speech
def test_two_threads_at_changing_rates_and_voices(references):
    """Two threads, each with its own Synthesizer and voice, say every sentence at every rate in their
    own shuffled order, several rounds (cache emptied between rounds): each result has audio, and its
    length is the espeak-ng command's at that rate and voice."""
    results: dict[str | None, list] = {voice: [] for voice in VOICES}
    errors: list[BaseException] = []

    def speak(voice: str | None, seed: int) -> None:
        synth = Synthesizer(voice=voice)
        order = [(text, rate) for text in TEXTS for rate in RATES]
        try:
            for round_ in range(ROUNDS):
                random.Random(seed * 100 + round_).shuffle(order)
                for text, rate in order:
                    results[voice].append((text, rate, synth.synthesize(text, rate)))
                synth.forget()
        except BaseException as exc:  # reported by the main thread
            errors.append(exc)
        finally:
            synth.close()

    threads = [threading.Thread(target=speak, args=(voice, i)) for i, voice in enumerate(VOICES)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    assert not any(thread.is_alive() for thread in threads)
    assert not errors, errors
    for voice, said in results.items():
        assert len(said) == ROUNDS * len(TEXTS) * len(RATES)
        for text, rate, speech in said:
            assert speech.rate == 22050 and speech.text == text
            assert np.abs(speech.samples.astype(np.int32)).max() > 1000, (text, rate, voice)
            want = references[text, rate, voice]
            got = voiced_length(speech.samples)
            assert abs(got - want) < TOLERANCE * want, (text, rate, voice, got, want)
    # The voice changes the audio: the same sentence at the same rate differs between the two voices.
    by_key = {voice: {(t, r): s.samples for t, r, s in said} for voice, said in results.items()}
    for key, samples in by_key[None].items():
        assert not np.array_equal(samples, by_key["gmw/en-US"][key]), key


@pytest.mark.speech
def test_unknown_voice_is_refused_with_the_fix():
    with pytest.raises(AudioDeviceError, match="unknown espeak-ng voice 'xx/no-such-voice'") as err:
        Synthesizer(voice="xx/no-such-voice").warm_up()
    assert err.value.where == "--voice" and "espeak-ng --voices=en" in err.value.fix
    # espeak-ng goes on with the voices it has.
    assert len(Synthesizer(voice="gmw/en-US").synthesize("How old are you?").samples) > 10000
