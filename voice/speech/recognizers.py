"""The recognizers' shared interface: `Recognizer`, `Hypothesis`, confidence levels, sentence matching.

Every engine takes 16 kHz mono int16 audio and an `Expectation` (the sentences allowed on this turn)
and gives a `Hypothesis`: the recognized sentence (one of the allowed ones, or "" for no match) and
a confidence 0..1. `expect=None` means open vocabulary (the naive baseline of the benchmark).

One module per engine:
- voice/speech/pocketsphinx.py: PocketSphinx with the model inside its wheel (nothing to download);
- voice/speech/vosk.py: Vosk (Kaldi) with a model folder;
- voice/speech/whisper.py: Whisper (faster-whisper, tiny.en) with a model folder: writes what was said;
- voice/speech/second_opinion.py: Whisper first, then PocketSphinx on the turns Whisper could not
  place, its pick always checked with the person (what the command line builds for Whisper).

Every native library is imported inside its adapter; a missing one is a ModelError with a fix.
The engine classes can still be imported from here (loaded on first use).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import numpy as np

from voice.ports import Expectation

CONFIDENT = 0.9
"""Confidence of a sentence that beat the cheap phone loop."""
UNSURE_CONFIDENCE = 0.45
"""Confidence of a sentence that beat only the expensive phone loop (the session confirms it)."""
FAINT = 0.3
"""Confidence of a sentence that lost to both loops but passed the likelihood ratio (confirmed)."""
GRAMMAR_CACHE = 24
"""Compiled grammar searches kept per decoder (yes/no questions share one)."""

@dataclass(frozen=True)
class Hypothesis:
    """What a recognizer heard in one segment of audio."""

    text: str
    """An allowed sentence (or open-vocabulary words); "" when nothing allowed was heard."""
    confidence: float
    """0..1; below the session's `confirm_below` the person is asked to confirm."""
    decode_ms: float = 0.0
    """Time spent decoding after the end of the audio."""
    speech: bool = True
    """False when the engine's own voice-activity gate found no speech in the audio at all (then no
    other engine is asked about it either)."""
    second_heard: str | None = None
    """When the answer was sure on the first engine's own evidence and is unsure only because a second
    engine, hearing the same audio, did not hear the same answer: the second's words ("" for none;
    voice/speech/second_opinion.py). None otherwise."""
    guessed: bool = False
    """True when the words are not what the engine wrote but its pick from the question's closed set of
    answers (voice/speech/closed_set.py): a guess to check, which a second engine's pick replaces."""


class Recognizer(Protocol):
    """Turns one segment of speech into a Hypothesis, either whole or streamed."""

    engine: str
    """`pocketsphinx`, `vosk` or `whisper`."""
    model: str | None
    """Model path or name, for the `start` event."""

    def prepare(self, expect: Expectation) -> None:
        """Compile what `expect` needs ahead of time (optional speed-up)."""
        ...

    def start(self, expect: Expectation | None) -> None:
        """Begin a streamed utterance."""
        ...

    def feed(self, frame: np.ndarray) -> None:
        """Add int16 samples (16 kHz mono) to the streamed utterance."""
        ...

    def speculate(self) -> None:
        """The speaker has just paused: an engine that decodes whole segments may start on what
        it has heard, so that `partial()` at the short hangover finds it (optional)."""
        ...

    def partial(self) -> str:
        """The best words so far in the streamed utterance."""
        ...

    def finish(self) -> Hypothesis:
        """End the streamed utterance and return what was heard."""
        ...

    def decode(self, pcm: np.ndarray, expect: Expectation | None) -> Hypothesis:
        """Recognize a whole segment."""
        ...

    def forget(self) -> None:
        """Drop the audio of the last utterance (kiosk privacy between people; optional)."""
        ...

    def close(self) -> None:
        """Release the model."""
        ...


class _StreamMixin:
    """`decode` in terms of the streaming calls."""

    def speculate(self) -> None:
        """Streaming engines decode as the audio comes: nothing to start early."""

    def decode(self, pcm: np.ndarray, expect: Expectation | None) -> Hypothesis:
        self.start(expect)
        self.feed(np.asarray(pcm, dtype=np.int16))
        return self.finish()



def closest_phrase(text: str, phrases: tuple[str, ...]) -> tuple[str | None, float]:
    """The allowed sentence closest to `text` and its similarity 0..100 (rapidfuzz ratio)."""
    from rapidfuzz import fuzz, process

    if text in phrases:
        return text, 100.0
    match = process.extractOne(text, phrases, scorer=fuzz.ratio)
    if match is None:
        return None, 0.0
    return match[0], float(match[1])


__all__ = ["CONFIDENT", "FAINT", "UNSURE_CONFIDENCE", "GRAMMAR_CACHE", "Hypothesis", "Recognizer",
           "closest_phrase"]
