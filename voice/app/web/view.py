"""The page's state, kept from the kiosk's event records: what the page shows, and which taps
answer the turn that is open.

`PageView.update` takes each record (matching on the record classes of voice/dialog/events.py);
`PageView.snapshot` is what the page draws (sent whole on every change, so a page that reloads or
reconnects draws the current state). On `reset` every field about the person is dropped: the
next snapshot holds only the invitation.
"""

from __future__ import annotations

import asyncio
import dataclasses
import threading
from typing import Any

from ...dialog.events import (
    Alert,
    Ask,
    Device,
    End,
    Heard,
    Idle,
    NoInput,
    Outcome,
    Record,
    Reset,
    Say,
    Start,
)
from ...dialog.sentences import fill
from ...triage.model import Content, Kind, Region

NUMBER_MAX = 999
"""The largest number the pad sends (the question's own range is checked by the dialog)."""


@dataclasses.dataclass
class _Person:
    """Everything on the page about one person; replaced whole at reset."""

    phase: str = "idle"
    question: str = ""
    question_id: str = ""
    kind: str = ""
    choices: list[dict[str, str]] = dataclasses.field(default_factory=list)
    number: dict[str, int] | None = None
    spoken: str = ""
    heard: str = ""
    asked: list[str] = dataclasses.field(default_factory=list)
    warn: bool = False
    disposition: str | None = None
    label: str = ""
    action: str = ""
    advice: str = ""
    alert: str = ""
    summary: list[str] = dataclasses.field(default_factory=list)
    offer: str = ""
    """The offer after the advice ("Would you like some things that may help at home?"), while it waits
    for a yes or no."""
    hold: int = 0
    """Seconds the advice stays before the page clears by itself (0: it is not being held)."""


class PageView:
    """The page's state; thread-safe; wakes the page's live connections on every change."""

    def __init__(self, content: Content, region: Region, texts: dict):
        self.content = content
        self.region = region
        self.texts = texts
        self.invite = ""
        self.notice = ""
        self.staff_notice = ""
        self.running = True
        self.person = _Person()
        self.version = 0
        self._lock = threading.Lock()
        self._waiters: set[tuple[asyncio.AbstractEventLoop, asyncio.Event]] = set()
        self._done = threading.Event()
        self._more = threading.Event()

    # ------------------------------------------------------------ records in

    def __call__(self, record: Record) -> None:
        """The Events listener: every record the kiosk emits."""
        self.update(record)

    def update(self, record: Record) -> None:
        with self._lock:
            self._apply(record)
            self.version += 1
        self._wake()

    def _apply(self, record: Record) -> None:
        p = self.person
        match record:
            case Start(kiosk=True):
                self.running = True
                self.person = _Person()
            case Idle(text=text):
                self.invite = text
                self.notice = ""
                self.person = _Person()
                self._done.clear()
                self._more.clear()
            case Heard(question="wake", wake=wake, command=command):
                if wake or command == "help_now":
                    self.person = _Person(phase="dialog")
            case Heard(answer=answer, command=command) if p.phase == "advice":
                if answer is not None or command is not None:
                    p.offer = ""  # answered: the rest of the advice, if wanted, is in the text shown
            case Heard(text=text):
                p.heard = text or ""
                p.warn = False
            case Ask(question=qid, kind=kind, text=text) if p.phase == "advice":
                p.offer, p.question_id, p.kind = text, qid, kind  # the offer, under the advice
            case Ask(question=qid, kind=kind, choices=choices, text=text):
                p.phase = "dialog"
                p.question, p.question_id, p.kind = text, qid, kind
                p.choices = [{"id": cid, "label": self._choice_label(qid, cid)} for cid in choices]
                p.number = self._number_range(qid) if kind == Kind.NUMBER.value else None
                p.spoken = p.heard = ""
                if qid in self.content.questions and qid not in p.asked:
                    p.asked.append(qid)
            case Say(text=text):
                if p.phase == "dialog" and text != p.question:
                    p.spoken = text
                elif p.phase == "advice" and text not in p.advice and text != p.alert:
                    p.spoken = text
            case NoInput():
                p.warn = True
            case Outcome(disposition=disposition, text=text):
                p.phase, p.disposition, p.advice = "advice", disposition, text
                p.question = p.question_id = p.kind = p.spoken = p.heard = ""
                p.choices, p.number, p.warn = [], None, False
                for d, words in self.content.dispositions.items():
                    if d.value == disposition:
                        p.label, p.action = words.label, fill(words.advice, self.region)
            case Alert(text=text):
                p.alert = text
            case Device(status=status):
                key = "device_lost" if status == "lost" else "device_back"
                self.notice = fill(self.content.say(key), self.region)
            case Reset():
                self.person = _Person()
                self.notice = ""
            case End():
                self.running = False
                self.person = _Person()

    def show_summary(self, lines: list[str]) -> None:
        """The clinician summary, shown until the next reset (as on the terminal screen)."""
        with self._lock:
            self.person.summary = list(lines)
            self.version += 1
        self._wake()

    def shows_a_person(self) -> bool:
        return self.person.phase != "idle" or bool(self.person.summary)

    def clear(self) -> None:
        with self._lock:
            self.person = _Person()
            self.version += 1
        self._wake()

    def _choice_label(self, qid: str, cid: str) -> str:
        question = self.content.questions.get(qid)
        if question is not None and question.kind is Kind.CHOICE:
            return question.choice(cid).label
        if cid in self.content.questions:
            return self.content.questions[cid].readback
        return cid.replace("_", " ")

    def _number_range(self, qid: str) -> dict[str, int]:
        question = self.content.questions.get(qid)
        low = question.minimum if question is not None and question.minimum is not None else 0
        high = question.maximum if question is not None and question.maximum is not None else NUMBER_MAX
        return {"min": int(low), "max": int(min(high, NUMBER_MAX))}

    # ------------------------------------------------------------ taps in

    def words_for(self, tap: dict[str, Any]) -> str | None:
        """The words a tap stands for, if it answers what the page shows now (None: it does not; "":
        it is for the kiosk itself, as "I have finished" and "More time" on the advice)."""
        buttons = self.texts["buttons"]
        with self._lock:
            p = self.person
            button = tap.get("button")
            if p.phase == "idle":
                return buttons[button]["says"] if button in ("start", "help_now") and self.running else None
            if p.phase == "advice":
                if p.offer and button in ("yes", "no"):
                    return buttons[button]["says"]
                if button not in ("done", "more_time"):
                    return None
                (self._done if button == "done" else self._more).set()
                return ""  # for the kiosk, not an answer
            if button in ("repeat", "back", "restart", "help_now"):
                return buttons[button]["says"]
            if button in ("yes", "no", "unsure") and p.kind == Kind.YES_NO.value:
                return buttons[button]["says"]
            choice = tap.get("choice")
            if choice is not None and p.kind == Kind.CHOICE.value:
                return next((c["label"] for c in p.choices if c["id"] == choice), None)
            number = tap.get("number")
            if p.kind == Kind.NUMBER.value and isinstance(number, int) and not isinstance(number, bool) \
                    and 0 <= number <= NUMBER_MAX:
                return str(number)
            if button == "unsure" and p.kind:
                return buttons[button]["says"]
        return None

    def holding(self, seconds: float) -> None:
        """The kiosk holds the advice for `seconds` from now (the page says so)."""
        with self._lock:
            self.person.hold = round(seconds)
            self.version += 1
        self._wake()

    def take_more(self) -> bool:
        """True (once) when the person asked for more time to read the advice."""
        more = self._more.is_set()
        self._more.clear()
        return more

    def take_done(self) -> bool:
        """True (once) when the person tapped that they have finished reading the advice."""
        done = self._done.is_set()
        self._done.clear()
        return done

    # ------------------------------------------------------------ state out

    def snapshot(self) -> dict[str, Any]:
        with self._lock:
            p = self.person
            state = dataclasses.asdict(p)
            del state["asked"]
            state.update(version=self.version, running=self.running, invite=self.invite,
                         notice=self.notice or (self.staff_notice if p.phase == "idle" else ""),
                         progress=len(p.asked), emergency=p.disposition == "emergency")
            if not self.running:
                state["phase"] = "stopped"
            return state

    def subscribe(self) -> asyncio.Event:
        """An event set (in the caller's loop) on every change; `unsubscribe` it when done."""
        event = asyncio.Event()
        with self._lock:
            self._waiters.add((asyncio.get_running_loop(), event))
        return event

    def unsubscribe(self, event: asyncio.Event) -> None:
        with self._lock:
            self._waiters = {w for w in self._waiters if w[1] is not event}

    def _wake(self) -> None:
        with self._lock:
            waiters = list(self._waiters)
        for loop, event in waiters:
            try:
                loop.call_soon_threadsafe(event.set)
            except RuntimeError:  # the server's loop has closed
                pass
