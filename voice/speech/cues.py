"""Short tones that tell a person what is happening without words, generated with numpy.

- `listening`: a short rising blip (600 -> 900 Hz): "your turn to speak".
- `nomatch`: a low double tone (two 330 Hz beeps): "I did not understand".
- `emergency`: an urgent repeated high tone (three 1400 Hz beeps): emergency advice follows.

Every cue is under 0.6 s, with raised-cosine fades so it starts and stops without a click.
"""

from __future__ import annotations

import numpy as np

CUE_RATE = 22050
"""Sample rate of the cues (the same as the synthesizer's, so they share one stream)."""
CUES = ("listening", "nomatch", "emergency")
"""Every cue name."""
FREQUENCIES = {"listening": (600.0, 900.0), "nomatch": (330.0,), "emergency": (1400.0,)}
"""The main frequencies of each cue in Hz (a sweep's start and end for `listening`)."""
_FADE = 0.008
"""Seconds of fade in and out on every tone."""


def _fade(x: np.ndarray, rate: int) -> np.ndarray:
    n = min(int(_FADE * rate), len(x) // 2)
    if n > 0:
        ramp = 0.5 - 0.5 * np.cos(np.linspace(0.0, np.pi, n, dtype=np.float64))
        x[:n] *= ramp
        x[-n:] *= ramp[::-1]
    return x


def _tone(freq_start: float, freq_end: float, seconds: float, rate: int) -> np.ndarray:
    n = int(seconds * rate)
    f = np.linspace(freq_start, freq_end, n, dtype=np.float64)
    phase = 2.0 * np.pi * np.cumsum(f) / rate
    return _fade(np.sin(phase), rate)


def _gap(seconds: float, rate: int) -> np.ndarray:
    return np.zeros(int(seconds * rate), dtype=np.float64)


def cue_samples(name: str, rate: int = CUE_RATE, level: float = 0.5) -> np.ndarray:
    """The float32 samples (-1..1) of the cue `name` at `rate` Hz, peak `level`.

    Raises ValueError naming the known cues for any other name.
    """
    if name == "listening":
        x = _tone(*FREQUENCIES["listening"], 0.12, rate)
    elif name == "nomatch":
        f = FREQUENCIES["nomatch"][0]
        x = np.concatenate([_tone(f, f, 0.13, rate), _gap(0.07, rate), _tone(f, f, 0.13, rate)])
    elif name == "emergency":
        f = FREQUENCIES["emergency"][0]
        beep = _tone(f, f, 0.1, rate)
        x = np.concatenate([beep, _gap(0.06, rate), beep, _gap(0.06, rate), beep])
    else:
        raise ValueError(f"unknown cue {name!r}: use one of {', '.join(CUES)}")
    return (x * level).astype(np.float32)
