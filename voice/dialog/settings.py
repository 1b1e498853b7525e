"""How patient a session is: tries, walk-away, when to check what was heard, barge-in, the welcome."""

from __future__ import annotations

from dataclasses import dataclass

from ..ports import CONFIRM_BELOW, Utterance


@dataclass
class SessionSettings:
    """How patient the session is. Defaults suit a person in pain; the kiosk config overrides them."""

    max_tries: int = 3
    """No-inputs or no-matches on one question before the safe path."""
    walkaway_after: int = 5
    """Silent turns in a row before asking whether the person is still there."""
    confirm_below: float = CONFIRM_BELOW
    """Speech recognized with less confidence than this is confirmed."""
    barge_in: bool = False
    """Listen while speaking and stop speaking when the person talks."""
    device_wait: float = 30.0
    """Seconds to wait for a lost audio device to come back before ending."""
    welcome: bool = True
    """Say the welcome (the kiosk says its own)."""
    speech_basic: bool = False
    """Say once, after the welcome, that speech recognition is the simpler one (`--engine auto` fell
    back); cleared once said, so a kiosk says it to its first person only."""
    number_by_yes_no_after: int = 2
    """Tries at a number question that came to nothing (not understood, or "I heard 40" answered
    no) before it is asked as yes/no questions about the numbers that change the advice; 0: never.
    Real voices saying digits were understood half the time; yes and no far more often."""

    def unsure(self, utt: Utterance) -> bool:
        """Heard with too little confidence to act on without checking (never in text mode)."""
        return utt.confidence is not None and utt.confidence < self.confirm_below


__all__ = ["SessionSettings"]
