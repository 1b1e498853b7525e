"""One person at the kiosk: their session, and their view of the kiosk's ports.

The kiosk's events, listener and speaker outlive each person; these wrappers give one person's
session what it needs and note what must be undone or reported when that person is gone.
"""

from __future__ import annotations

from collections.abc import Callable

from ..dialog.events import End, Events, Record, Start
from ..dialog.session import Session
from ..errors import EndOfInput
from ..ports import Expectation, Listener, Speaker, Utterance
from ..triage.model import Disposition

_ADJUST_UNDO = {"slower": "faster", "faster": "slower", "louder": "quieter", "quieter": "louder"}


class KioskSession(Session):
    """A Session that greets with the kiosk welcome (then the disclaimer and how to answer)."""

    on_emergency: Callable[[], None] | None = None
    """Called the moment an emergency is decided, before a word of the advice is spoken."""

    def line(self, key: str, index: int | None = None, **values: object) -> str:
        return super().line("kiosk_welcome" if key == "welcome" else key, index, **values)

    def deliver(self, outcome) -> None:
        if outcome.disposition is Disposition.EMERGENCY and self.on_emergency is not None:
            self.on_emergency()
        super().deliver(outcome)

    def deliver_help_now(self) -> None:
        if self.on_emergency is not None:
            self.on_emergency()
        super().deliver_help_now()


class PersonEvents:
    """One person's view of the kiosk's Events: drops the Session's start and end, watches the rest."""

    def __init__(self, events: Events, watch: Callable[[Record], None]):
        self.events = events
        self.watch = watch
        self.reason: str | None = None

    def emit(self, record: Record) -> Record:
        match record:
            case Start():
                return record
            case End(reason=reason):
                self.reason = reason
                return record
        record = self.events.emit(record)
        self.watch(record)
        return record


class PersonListener:
    """The kiosk's listener for one person; remembers whether the input ended (EOF)."""

    def __init__(self, listener: Listener):
        self.listener = listener
        self.engine = getattr(listener, "engine", "text")
        self.model = getattr(listener, "model", None)
        self.ended = False

    def listen(self, expect: Expectation, on_speech: Callable[[], None] | None = None) -> Utterance:
        try:
            return self.listener.listen(expect, on_speech)
        except EndOfInput:
            self.ended = True
            raise

    def close(self) -> None:
        """The kiosk closes the real listener."""


class PersonSpeaker:
    """The kiosk's speaker for one person: rate and volume changes are undone at reset."""

    def __init__(self, speaker: Speaker):
        self.speaker = speaker
        self.adjusted: list[str] = []

    def say(self, text: str) -> float | None:
        return self.speaker.say(text)

    def wait(self) -> None:
        self.speaker.wait()

    def stop(self) -> None:
        self.speaker.stop()

    def cue(self, name: str) -> None:
        self.speaker.cue(name)

    def adjust(self, command: str) -> bool:
        ok = self.speaker.adjust(command)
        if ok:
            self.adjusted.append(command)
        return ok

    def undo(self) -> None:
        while self.adjusted:
            self.speaker.adjust(_ADJUST_UNDO[self.adjusted.pop()])

    def close(self) -> None:
        """The kiosk closes the real speaker."""

