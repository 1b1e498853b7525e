"""Spoken sentences filled in: the one place that turns a dialog line of content/ into what is said.

Every sentence the assistant speaks or shows comes from content/ YAML with `{placeholders}`: the
region's `{emergency_number}`, `{urgent_line}` and `{emergency_place}`, and values such as
`{choices}`, `{rephrase}` or `{value}`. `fill` fills them (a placeholder without a value is left as
written), `join_or` says a list as "A, B or C", and `Sentences` does both for one session's content
and region. (voice/understanding/wording.py is the other direction: making heard words comparable.)
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from ..triage.conditions import NO, UNSURE, YES, NumberRange
from ..triage.model import Content, Kind, Question, Region


class _Keep(dict):
    """Values for `str.format_map`; a placeholder without a value stays as written."""

    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def region_values(region: Region) -> dict[str, str]:
    """The region's placeholders and what they stand for."""
    return {"emergency_number": region.emergency_number, "urgent_line": region.urgent_line,
            "emergency_place": region.emergency_place}


def fill(text: str, region: Region, **values: object) -> str:
    """`text` with the region's placeholders and `values` filled in."""
    return text.format_map(_Keep(region_values(region), **values))


def join_or(labels: Sequence[str], or_word: str) -> str:
    """The labels as said: "a, b or c" (empty for none)."""
    if len(labels) > 1:
        return ", ".join(labels[:-1]) + f" {or_word} " + labels[-1]
    return labels[0] if labels else ""


def answer_words(content: Content, question: Question, value: object) -> str:
    """An answer as the read-back says it."""
    if value == YES:
        return content.say("yes_word")
    if value == NO:
        return content.say("no_word")
    if value == UNSURE or value is None:
        return content.say("unsure_word")
    if question.kind is Kind.CHOICE:
        return question.choice(str(value)).label
    if isinstance(value, NumberRange):
        if value.high is None:
            key, high = "range_from", ""
        elif value.low <= (question.minimum or 0):
            key, high = "range_under", value.high
        else:  # "between" names the range's largest whole number: 45 to 49, not 45 to 50
            key, high = "range_between", value.high - 1
        return content.say(key).format_map(defaultdict(str, low=value.low, high=high))
    return str(value)


class Sentences:
    """One session's sentences: the content's dialog lines, filled for its region."""

    def __init__(self, content: Content, region: Region):
        self.content = content
        self.region = region

    def fill(self, text: str, **values: object) -> str:
        """`text` (from content) with its placeholders filled."""
        return fill(text, self.region, **values)

    def line(self, key: str, index: int | None = None, **values: object) -> str:
        """The dialog line `key` of content/dialog.yaml (its `index`-th variant), filled."""
        return self.fill(self.content.say(key, index), **values)

    def choices(self, question: Question) -> str:
        """The question's choices as said: "a, b or c" (empty for a question without choices)."""
        return join_or([c.label for c in question.choices], self.content.say("or_word"))

    def question(self, question: Question, text: str) -> str:
        """One of the question's own texts (text, rephrase, help, why) with its placeholders filled:
        the read-back's "You can say {choices}" names the answers read back, whenever it is said."""
        return self.fill(text, choices=self.choices(question))

    def answers(self, question: Question) -> str:
        """Which answers work for the question ("yes or no", "a number such as 5", its choices)."""
        if question.kind is Kind.YES_NO:
            return self.line("answers_yes_no")
        if question.kind is Kind.NUMBER:
            example = (question.minimum or 0) + ((question.maximum or 10) - (question.minimum or 0)) // 2
            return self.line("answers_number", example=example)
        return self.line("answers_choice", choices=self.choices(question))
