"""The session event stream of protocol.md: one JSON object per line, flushed per line.

Each protocol event the dialog and the kiosk emit has one record type here (as wyoming's `Event` types do): a
frozen dataclass whose fields, in order, are the event's JSON fields after `event` and `t`. A field
marked `_local()` travels with the record inside the process and is never written to the stream (the
end of the person's speech, from which a `heard` event's latency is measured). A field marked
`_optional()` is written only when it is set.

Records are typed both ways: `Events.emit` stamps a record with `t`, writes `to_event()` to the
stream and hands the record itself to its listeners (who `match` on the record types), and
`Record.from_event` reads a written event back into its record (the benchmark, the tests).
"""

from __future__ import annotations

import dataclasses
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, ClassVar, Protocol, TextIO


class Emitter(Protocol):
    """Where records go: `Events`, or a wrapper with the same `emit` (the kiosk's per-person view)."""

    def emit(self, record: Record) -> Record: ...


def _local(default: object = None) -> Any:
    return field(default=default, metadata={"stream": False})


def _optional(default: object = None) -> Any:
    return field(default=default, metadata={"optional": True})


@dataclass(frozen=True)
class Record:
    """One protocol event; subclasses name it in `event`."""

    event: ClassVar[str] = ""
    t: float | None = field(default=None, kw_only=True, metadata={"stream": False})
    """Seconds since the session (or kiosk) started, stamped by `Events.emit`."""

    def fields(self) -> dict[str, object]:
        """The JSON fields after `event` and `t`, in protocol order."""
        out: dict[str, object] = {}
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            if f.metadata.get("stream") is False or (f.metadata.get("optional") and value is None):
                continue
            out[f.name] = value
        return out

    def to_event(self) -> dict[str, object]:
        """The JSON object of the stream: `event`, `t`, then the fields."""
        return {"event": self.event, "t": self.t, **self.fields()}

    def send(self, emitter: Emitter) -> Record:
        """Emit this record; returns it as emitted (stamped with `t`)."""
        return emitter.emit(self)

    @classmethod
    def is_type(cls, event: str) -> bool:
        """True when `event` (an event name of the stream) is this record type's."""
        return event == cls.event

    @classmethod
    def from_event(cls, data: dict[str, object]) -> Record:
        """The record an event of the stream was written from. On `Record`, the type is found from
        `event` (and, for the two `error` events, from the fields); on a record type, the event must
        be that type's. ValueError names what does not fit."""
        name = data.get("event")
        kinds = [k for k in _TYPES.get(str(name), ()) if issubclass(k, cls)]
        for kind in kinds:
            stream = {f.name: f for f in dataclasses.fields(kind) if f.metadata.get("stream") is not False}
            needed = {n for n, f in stream.items()
                      if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING}
            given = set(data) - {"event", "t"}
            if needed <= given <= set(stream):
                return kind(**{n: data[n] for n in given}, t=data.get("t"))  # type: ignore[arg-type]
        if not kinds:
            raise ValueError(f"{name!r} is not an event of {cls.__name__} (docs/protocol.md)")
        raise ValueError(f"the {name!r} event's fields {sorted(set(data) - {'event', 't'})} fit no record "
                         f"of docs/protocol.md")


@dataclass(frozen=True)
class Start(Record):
    """The session began."""

    event: ClassVar[str] = "start"
    version: str
    engine: str
    language: str
    model: str | None
    region: str
    kiosk: bool | None = _optional()
    """True when a kiosk started (its own `start`, before any person's)."""


@dataclass(frozen=True)
class Say(Record):
    """Everything the assistant speaks, prompts included."""

    event: ClassVar[str] = "say"
    text: str


@dataclass(frozen=True)
class Ask(Record):
    """A question is asked (sent with its first sentence)."""

    event: ClassVar[str] = "ask"
    question: str
    findings: list[str]
    kind: str
    choices: list[str]
    text: str
    of: str | None = _optional()
    """`number_at_least` only: the number question it stands for."""
    at_least: int | None = _optional()
    """`number_at_least` only: the threshold asked about."""


@dataclass(frozen=True)
class Heard(Record):
    """What the person said (or typed) to a question, and what it meant."""

    event: ClassVar[str] = "heard"
    question: str
    text: str | None
    answer: object
    command: str | None
    confidence: float | None
    latency_ms: int | None = None
    speech_end: float | None = _local()
    """When the person's speech ended (monotonic seconds); not written, used for `latency_ms`."""
    wake: bool | None = _optional()
    """The idle kiosk only: whether the words were a wake phrase."""

    def replied(self, started: float | None) -> Heard:
        """This record with the latency to a reply whose first sample played at `started`."""
        if started is None or self.speech_end is None:
            return self
        return dataclasses.replace(self, latency_ms=round(max(0.0, started - self.speech_end) * 1000))


@dataclass(frozen=True)
class NoInput(Record):
    """Silence where an answer was expected."""

    event: ClassVar[str] = "noinput"
    question: str
    count: int


@dataclass(frozen=True)
class NoMatch(Record):
    """Words that did not answer the question."""

    event: ClassVar[str] = "nomatch"
    question: str
    count: int


@dataclass(frozen=True)
class Outcome(Record):
    """The advice."""

    event: ClassVar[str] = "outcome"
    disposition: str
    red_flags: list[str]
    causes: list[dict[str, object]]
    text: str
    because_of: str | None = _optional()
    """`help_now` when the emergency phrase produced the outcome."""
    questions: int = 0
    first: str = ""
    """What is said at once (the action, the most likely cause, the one emergency sign)."""
    more: str = ""
    """What is offered after it ("Would you like some things that may help at home?") and said on
    a yes; for an emergency, never offered (the rules' advice at length, for staff). `text`
    always holds everything."""


@dataclass(frozen=True)
class Device(Record):
    """An audio device was lost, or came back."""

    event: ClassVar[str] = "device"
    status: str
    message: str | None = _optional()


@dataclass(frozen=True)
class Error(Record):
    """Scripted audio that could not be read; the question stays open."""

    event: ClassVar[str] = "error"
    message: str
    question: str | None
    input: str | None


@dataclass(frozen=True)
class KioskError(Record):
    """Something went wrong in the kiosk itself (a device, the alert, a summary); it carries on."""

    event: ClassVar[str] = "error"
    message: str


@dataclass(frozen=True)
class Idle(Record):
    """The kiosk waits for the next person."""

    event: ClassVar[str] = "idle"
    served: int
    walked_away: int
    text: str


@dataclass(frozen=True)
class Alert(Record):
    """The staff alert after an emergency: `sent` or `failed`."""

    event: ClassVar[str] = "alert"
    status: str
    text: str
    message: str | None = _optional()


@dataclass(frozen=True)
class Summary(Record):
    """The clinician summary of one person, when the settings print it in --jsonl mode."""

    event: ClassVar[str] = "summary"
    answers: list[dict[str, object]]
    red_flags: list[str]
    disposition: str | None
    reason: str
    text: str


@dataclass(frozen=True)
class Reset(Record):
    """Everything about the last person is forgotten."""

    event: ClassVar[str] = "reset"
    reason: str


@dataclass(frozen=True)
class End(Record):
    """The session ended: `complete`, `stopped`, `timeout` or `error`."""

    event: ClassVar[str] = "end"
    reason: str


_TYPES: dict[str, tuple[type[Record], ...]] = {}
"""Record types by event name (`error` has two: a session's and the kiosk's own)."""
for _kind in (Start, Say, Ask, Heard, NoInput, NoMatch, Outcome, Device, Error, KioskError, Idle, Alert,
              Summary, Reset, End):
    _TYPES[_kind.event] = (*_TYPES.get(_kind.event, ()), _kind)


class Events:
    """Emits protocol records with `t` in seconds since the session (or kiosk) started; the stream
    gets each as one JSON line, the listeners get the record."""

    def __init__(self, stream: TextIO | None, clock: Callable[[], float] = time.monotonic):
        self.stream = stream
        self.clock = clock
        self.t0 = clock()
        self.listeners: list[Callable[[Record], None]] = []
        """Called with every record (the screen, the kiosk alert)."""

    def emit(self, record: Record) -> Record:
        record = dataclasses.replace(record, t=round(self.clock() - self.t0, 3))
        if self.stream is not None:
            self.stream.write(json.dumps(record.to_event(), ensure_ascii=False) + "\n")
            self.stream.flush()
        for listener in self.listeners:
            listener(record)
        return record
