"""Whether another reading of an answer could change the advice later: a look-ahead over the content.

An answer heard unsure is checked with the person ("I heard a week. Is that right?") where another
reading of it could change the advice: as things stand (`Triage.level_may_change`), or through the
questions each reading leads to (`may_change_later`, here).

The look-ahead plays the rest of the triage twice, once with the heard answer and once with another
reading, for every way the person could answer the questions that follow; a question both plays ask
gets the same answer in both (they are the same person). The other reading matters when, for some
such person, it ends more urgent than the heard one, or names another cause first where the advice
comes without a read-back (an urgent warning sign). Elsewhere the answers are read back before the
advice, so the person hears the answer again and can change it.

Each reading's plays are bounded (BUDGET steps of the triage): past that the reading counts as one
that may change the advice, so an answer whose look-ahead is too large to finish is checked.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .advice import Outcome, disposition, rank
from .conditions import NO, UNSURE, YES
from .model import Kind, Question
from .phases import PhaseError

if TYPE_CHECKING:
    from .engine import Triage

BUDGET = 80
"""Steps of the triage (one `next_step` each) the plays of one other reading may take: at most about
0.8 s on a shared 2-core machine (a step takes 1-10 ms). Over the 435 test patients' questions it
finds 215 of 3513 answers that choose the questions to come but cannot change the advice; 200 steps
find 242, at up to 2.4 s."""


class _OverBudget(Exception):
    """The plays took more than BUDGET steps: the reading is taken to matter."""


@dataclass(frozen=True)
class _Ending:
    """Where one play ends: the level of its advice (rank), the cause named first, whether the answers
    are read back before it."""

    level: int
    cause: str | None
    read_back: bool


def readings(triage: Triage, question: Question) -> list[object]:
    """Every answer to `question` that tells the content something different: yes, no, not sure;
    each choice; a number from each stretch between the thresholds the content tests."""
    if question.kind is Kind.YES_NO:
        return [YES, NO, UNSURE]
    if question.kind is Kind.CHOICE:
        return [c.id for c in question.choices]
    return triage.number_candidates(question)


def may_change_later(triage: Triage, question: Question, heard: object) -> bool:
    """Whether another reading of `heard` (the answer to `question`, not yet recorded) could, through
    the questions it leads to, end more urgent or name another cause first than `heard`, for the same
    person."""
    choices = readings(triage, question)
    if heard not in choices:
        return True  # a number: its stretch between thresholds is weighed by the dialog's number checks
    for other in choices:
        if other == heard:
            continue
        try:
            if _differs(_after(triage, question.id, heard), _after(triage, question.id, other), {}, [0]):
                return True
        except (_OverBudget, PhaseError):  # too large to finish, or a phase the plays cannot answer in
            return True
    return False


def _after(triage: Triage, question_id: str, value: object) -> Triage:
    fork = _fork(triage)
    fork.answer(question_id, value)
    return fork


def _fork(triage: Triage) -> Triage:
    """A copy of `triage` that can be answered without changing the original."""
    fork = copy.copy(triage)
    fork.answers = triage.answers.copy()
    fork.asked = list(triage.asked)
    fork.history = list(triage.history)
    return fork


def _differs(heard: Triage, other: Triage, said: dict[str, object], steps: list[int]) -> bool:
    """Whether, for some answers to the questions still to come (`said`: those given so far in these
    plays), `other` ends more urgent than `heard` or names another cause first without a read-back."""
    while True:
        steps_now = [_step(play, steps) for play in (heard, other)]
        known = [(play, s) for play, s in zip((heard, other), steps_now, strict=True)
                 if isinstance(s, Question) and s.id in said]
        if known:  # a question the person has already answered in these plays: the same answer
            for play, s in known:
                play.answer(s.id, said[s.id])
            continue
        asked = [s for s in steps_now if isinstance(s, Question)]
        if not asked:
            return _worse(*steps_now)
        question = asked[0]
        for value in readings(heard, question):
            h, o = _fork(heard), _fork(other)
            for play, s in ((h, steps_now[0]), (o, steps_now[1])):
                if s is question:
                    play.answer(question.id, value)
            if _differs(h, o, {**said, question.id: value}, steps):
                return True
        return False


def _step(play: Triage, steps: list[int]) -> Question | _Ending:
    """The next question of the content `play` asks, or where it ends (its read-back or outcome)."""
    steps[0] += 1
    if steps[0] > BUDGET:
        raise _OverBudget
    step = play.next_step()
    if not isinstance(step, Outcome) and step.question.id in play.content.questions:
        return step.question
    ranked = rank(play.content, play.answers)
    level = disposition(play.content, play.answers, ranked).rank
    return _Ending(level, ranked[0].cause.id if ranked else None, not isinstance(step, Outcome))


def _worse(heard: _Ending, other: _Ending) -> bool:
    """`other` more urgent, or naming another cause first where the advice is not read back first."""
    read_back = other.read_back and heard.read_back
    return other.level > heard.level or (other.cause != heard.cause and not read_back)


__all__ = ["BUDGET", "may_change_later", "readings"]
