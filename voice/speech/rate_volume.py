"""Speech rate and volume, changed by spoken commands (`slower`, `faster`, `louder`, `quieter`).

Both speakers (voice/speech/speaking.py) keep one SpeechSettings and apply it to every sentence.
"""

from __future__ import annotations

from . import DEFAULT_RATE

DEFAULT_VOLUME = 0.7
"""Playback volume 0..1 when none is configured (one `louder` step below full scale)."""
RATE_STEP = 20
"""Words per minute added by `faster` and taken away by `slower`."""
RATE_LIMITS = (90, 230)
"""Slowest and fastest speech rate `adjust` allows, in words per minute."""
VOLUME_STEP_DB = 3.0
"""Decibels added by `louder` and taken away by `quieter`."""
VOLUME_LIMITS = (0.2, 1.0)
"""Quietest and loudest volume `adjust` allows."""


class SpeechSettings:
    """Rate and volume, changed in fixed steps so every adjustment is exactly reversible.

    The settings keep integer step counts from the starting values; `slower` then `faster`
    (or `louder` then `quieter`) always returns to exactly the same rate and volume.
    """

    def __init__(self, rate: int | None = None, volume: float | None = None):
        self.base_rate = int(rate or DEFAULT_RATE)
        self.base_volume = float(DEFAULT_VOLUME if volume is None else volume)
        if not 0.0 <= self.base_volume <= 1.0:
            raise ValueError(f"volume must be between 0 and 1, not {volume}")
        self.rate_steps = 0
        self.volume_steps = 0

    @property
    def rate(self) -> int:
        """Current speech rate in words per minute."""
        return self.base_rate + RATE_STEP * self.rate_steps

    @property
    def volume(self) -> float:
        """Current playback volume (linear amplitude factor, 0..1)."""
        return self._volume_at(self.volume_steps)

    def _volume_at(self, steps: int) -> float:
        return self.base_volume * 10.0 ** (VOLUME_STEP_DB * steps / 20.0)

    def adjust(self, command: str) -> bool:
        """Apply `slower`, `faster`, `louder` or `quieter`; False (and no change) at a limit."""
        if command in ("slower", "faster"):
            step = 1 if command == "faster" else -1
            new = self.base_rate + RATE_STEP * (self.rate_steps + step)
            lo, hi = RATE_LIMITS
            # Outside the limits, a step back towards them is still allowed.
            if not lo <= new <= hi and not (new > hi and step < 0) and not (new < lo and step > 0):
                return False
            self.rate_steps += step
            return True
        if command in ("louder", "quieter"):
            step = 1 if command == "louder" else -1
            new = self._volume_at(self.volume_steps + step)
            lo, hi = VOLUME_LIMITS
            inside = lo - 1e-9 <= new <= hi + 1e-9
            if not inside and not (new > hi and step < 0) and not (new < lo and step > 0):
                return False
            self.volume_steps += step
            return True
        raise ValueError(f"unknown adjustment {command!r}: use slower, faster, louder or quieter")
