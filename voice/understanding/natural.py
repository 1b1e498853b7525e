"""Understanding free answers, typed or transcribed: what `Grammar.understand` falls back on when an
answer is not one of the grammar's own sentences.

A command or emergency phrase first, then by the kind of question: yes / no / not sure (with the
question's findings), a number, or a duration; "not sure" in its many forms last.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from ..triage.engine import READBACK_CONFIRM
from ..triage.model import Kind, Question
from .commands import command_in
from .durations import days_in
from .labels import label_in
from .numbers import digits, is_negative, number_in
from .phrasing import Phrasing
from .yes_no import CHECK, NO, UNSURE, check_reply, named_signs, yes_no

CHECKS = frozenset({CHECK, READBACK_CONFIRM})
"""Questions that check what the assistant heard: the check of one answer and the read-back of all."""


class NaturalReader:
    """Reads free answers with the vocabulary of one grammar folder."""

    def __init__(self, phrasing: Phrasing, today: Callable[[], date] = date.today):
        self.words = phrasing
        self._child_words = phrasing.for_a_child()
        """Read when the question is about a child (`Question.about_child`): a parent's "my son"."""
        self.today = today
        """The clock durations are reckoned by (injectable for tests)."""

    def emergency(self, text: str) -> bool:
        """True when the answer asks for emergency help ("call an ambulance", "I can't breathe", "help
        me"), and is not a request to explain ("help me understand")."""
        whole = self.words.spelling.corrected(self.words.spelling.words(text))
        return command_in(whole, self.words.commands) == "help_now"

    def named(self, text: str, question: Question) -> tuple[str, ...]:
        """The signs of an "any of these?" question that an answer names ("yes, I had a fall")."""
        if question.kind is not Kind.YES_NO or len(question.findings) < 2:
            return ()
        spelling = self.words.spelling
        return named_signs(spelling.clauses(text), tuple(question.findings), self._words(question))

    def _words(self, question: Question | None) -> Phrasing:
        return self._child_words if question is not None and question.about_child else self.words

    def negative(self, text: str) -> bool:
        return is_negative(text)

    def read(self, text: str, question: Question | None) -> tuple[str, object] | None:
        """("command", name), ("answer", value), ("out_of_range", None), or None if not understood.

        `question` None is the idle kiosk: only the emergency phrases are read there."""
        spelling = self.words.spelling
        whole = spelling.corrected(spelling.words(text))
        if not whole.strip():
            return None
        if question is None:
            return ("command", "help_now") if self._emergency_alone(whole) else None
        if question.kind is Kind.NUMBER and is_negative(text):
            return ("out_of_range", None)
        if question.id in CHECKS:
            answer = check_reply(whole, self.words)
            if answer is not None:
                return ("answer", answer)
        command = command_in(whole, self.words.commands)
        if command is not None:
            return ("command", command)
        if question.kind is Kind.YES_NO:
            answer = yes_no(spelling.clauses(text), tuple(question.findings), self._words(question))
            return ("answer", answer) if answer is not None else None
        if question.kind is Kind.NUMBER:
            value = number_in(text, spelling, self.words.numbers, self.today())
            if value is not None:
                low = question.minimum if question.minimum is not None else 0
                high = question.maximum
                if value < low or (high is not None and value > high):
                    return ("out_of_range", None)
                return ("answer", value)
        elif question.kind is Kind.CHOICE and any(c.max_days is not None for c in question.choices):
            days = days_in(digits(text, spelling), self.words.durations, self.today())
            if days is not None:
                for choice in question.choices:
                    if choice.max_days is None or days <= choice.max_days:
                        return ("answer", choice.id)
        elif question.kind is Kind.CHOICE:
            # The read-back's "which answer do you want to change?": an answer named in own words,
            # or a plain no ("no, it's all fine"): nothing to change.
            choice = label_in(whole, question.choices, self.words.labels, spelling)
            if choice is not None:
                return ("answer", choice)
            if yes_no(spelling.clauses(text), (), self.words) == NO:
                return ("answer", NO)
        return ("answer", UNSURE) if self._unsure(whole) else None

    def _unsure(self, text: str) -> bool:
        return any(t.search(text) for t in self.words.answers.unsure)

    def _emergency_alone(self, text: str) -> bool:
        """At the idle kiosk "I need help" and "help me" wake it; only the phrases that cannot be a
        greeting ("I can't breathe", "call an ambulance") are emergencies there."""
        first = next(c for c in self.words.commands if c.command == "help_now")
        return any(t.search(text) for t in first.anywhere) or any(
            t.regex.fullmatch(text) for t in first.whole)

