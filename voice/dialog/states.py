"""The dialog's states, the moves between them, and the steps that are not content questions.

A session is always in one `State`. The triage engine's steps are content questions (`QUESTION`)
and the read-back (`READBACK_CONFIRM`, then `READBACK_WHICH` when the person wants to change an
answer); the session adds its own checks: `CONFIRM` ("I heard 8. Is that right?"), `STILL_THERE`
after silent turns, and `NUMBER_AT_LEAST` (a number question asked as yes/no questions). Each
asking state but `CONFIRM` and `STILL_THERE` has a `Step`: what happens when it is given up on.

`TRANSITIONS` lists where each state may go; `check_transitions` checks the table when this module
loads (every target is a state, every state is reachable from `START`, every state can reach `END`,
`END` leads nowhere), and the session refuses a move the table does not list.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from enum import StrEnum

from ..errors import TriageError
from ..graph import reachable, reaching
from ..triage.conditions import UNSURE, YES
from ..triage.engine import READBACK_CONFIRM, READBACK_WHICH
from ..triage.model import Kind, Question
from ..understanding.yes_no import CHECK


class State(StrEnum):
    """Where a session is; the asking states' values are the question ids of their `ask` events."""

    START = "start"
    """Before the first question: the welcome."""
    QUESTION = "question"
    """A question of the triage content (its own id in `ask`)."""
    READBACK_CONFIRM = READBACK_CONFIRM
    """The key answers read back: "Is that all right?"."""
    READBACK_WHICH = READBACK_WHICH
    """Which read-back answer to change."""
    NUMBER_AT_LEAST = "number_at_least"
    """A number question that came to nothing, asked as "Is it {value} or more?"."""
    CONFIRM = CHECK
    """A heard answer or command checked: "I heard ... Is that right?"."""
    STILL_THERE = "still_there"
    """After silent turns: "Are you still there?"."""
    OUTCOME = "outcome"
    """The advice."""
    MORE = "more"
    """After the part of the advice said at once: "Would you like some things that may help at home?"."""
    HELP_NOW = "help_now"
    """"I need help now": the emergency line at once."""
    END = "end"
    """The session is over."""


ENGINE_STEPS = frozenset({State.QUESTION, State.READBACK_CONFIRM, State.READBACK_WHICH})
"""States the triage engine's next step can be."""
_ASKING_EXITS = ENGINE_STEPS | {State.OUTCOME, State.CONFIRM, State.STILL_THERE, State.HELP_NOW, State.END}

TRANSITIONS: dict[State, frozenset[State]] = {
    State.START: ENGINE_STEPS | {State.OUTCOME, State.HELP_NOW, State.END},
    State.QUESTION: _ASKING_EXITS | {State.NUMBER_AT_LEAST},
    State.READBACK_CONFIRM: _ASKING_EXITS,
    State.READBACK_WHICH: _ASKING_EXITS,
    State.NUMBER_AT_LEAST: _ASKING_EXITS | {State.NUMBER_AT_LEAST},
    # A check returns to the question it checked (or the command it checked carries on from there).
    State.CONFIRM: ENGINE_STEPS | {State.NUMBER_AT_LEAST, State.HELP_NOW, State.END},
    State.STILL_THERE: ENGINE_STEPS | {State.NUMBER_AT_LEAST, State.END},
    State.OUTCOME: frozenset({State.MORE, State.END}),
    State.MORE: frozenset({State.OUTCOME, State.END}),
    State.HELP_NOW: frozenset({State.END}),
    State.END: frozenset(),
}
"""Where each state may go next."""


class DialogError(TriageError):
    """A move between dialog states that `TRANSITIONS` does not list (a bug in the session)."""


def check_transitions(table: dict[State, frozenset[State]]) -> None:
    """Raise DialogError unless the table covers every state, every state is reachable from START,
    every state can reach END, and END is final."""
    missing = [s.value for s in State if s not in table]
    if missing:
        raise DialogError(f"dialog states without transitions: {missing}; add them to TRANSITIONS")
    reached = reachable(table, State.START)
    unreached = [s.value for s in State if s not in reached]
    if unreached:
        raise DialogError(f"dialog states no transition reaches from start: {unreached}")
    ending = reaching(table, State.END)
    stuck = [s.value for s in State if s not in ending]
    if stuck or table[State.END]:
        raise DialogError(f"dialog states that never reach the end: {stuck or ['end leads on']}")


check_transitions(TRANSITIONS)


class Tracker:
    """The state a session is in; refuses a move that `TRANSITIONS` does not list."""

    def __init__(self) -> None:
        self.state = State.START

    def enter(self, state: State) -> None:
        if state not in TRANSITIONS[self.state]:
            raise DialogError(f"the dialog cannot go from {self.state.value} to {state.value}: "
                              "not in TRANSITIONS (voice/dialog/states.py)")
        self.state = state

    @contextmanager
    def visit(self, state: State) -> Iterator[None]:
        """Enter `state`, and go back to the state before once the block is done (not when it raises)."""
        before = self.state
        self.enter(state)
        yield
        self.enter(before)


def state_of(question_id: str) -> State:
    """The state that asks an engine step with this question id."""
    if question_id == READBACK_CONFIRM:
        return State.READBACK_CONFIRM
    if question_id == READBACK_WHICH:
        return State.READBACK_WHICH
    return State.QUESTION


@dataclass(frozen=True)
class Step:
    """How an asking state ends when it is not answered plainly."""

    give_up_line: str
    """The dialog line said after too many tries."""
    give_up_answer: object
    """The answer recorded after too many tries (None: nothing to change)."""
    thanks_line: str | None = None
    """A dialog line said after an answer that is not no."""
    only_choices: bool = False
    """Only one of its choices answers it; a "no" keeps things as they are (`give_up_line`)."""
    reads_back: bool = False
    """Its prompt reads back the answers so far."""


STEPS: dict[State, Step] = {
    State.QUESTION: Step("give_up", UNSURE),
    State.NUMBER_AT_LEAST: Step("give_up", UNSURE),
    State.READBACK_CONFIRM: Step("give_up", YES, thanks_line="readback_thanks", reads_back=True),
    State.READBACK_WHICH: Step("readback_keep", None, only_choices=True),
}
"""The asking states whose answer is recorded; the safe path after too many tries is never a
silent no (an unclear read-back confirmation lets the answers stand)."""


def dialog_question(state: State, text: str, *, rephrase: str = "", help_text: str = "") -> Question:
    """A yes/no question the session asks about the dialog itself (no findings)."""
    return Question(id=state.value, kind=Kind.YES_NO, findings=(), text=text, rephrase=rephrase,
                    help=help_text, why="", readback="")


class Ended(Exception):
    """The session ends now, with the `end` reason."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


class Reask(Exception):
    """Back or restart: leave this question and ask the engine again."""
