"""A screen answered yes in words that name some of its signs ("yes, I had a fall"): those signs are
taken as said, and the signs not named are asked again together ("Apart from a fall, any of these?")
instead of one at a time.

A plain "yes" that names nothing still asks each sign on its own, as before. The second question is
an "any of these?" screen of its own: its no settles every sign left (each is then recorded as the
answer to its own question, so the read-back says them one by one); its yes or not sure asks each
sign left on its own.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from .model import Content, Kind, Question

REST = "screen_rest"
"""The question id of the signs left of a screen, asked together."""


@dataclass(frozen=True)
class Rest:
    """What a screen's yes named, and what is left to ask."""

    screen: str
    """The screen's question id."""
    named: tuple[str, ...]
    """Finding ids the yes named, in the screen's order."""
    left: tuple[str, ...]
    """Finding ids not yet known, asked again together (none when only one is left)."""


def single_questions(content: Content) -> dict[str, str]:
    """Finding id -> the id of the question that asks about it alone (the first, in content order)."""
    singles: dict[str, str] = {}
    for qid, q in content.questions.items():
        if q.kind is Kind.YES_NO and len(q.findings) == 1:
            singles.setdefault(q.findings[0], qid)
    return singles


def after_naming(content: Content, known: Callable[[str], bool], screen: Question,
                 named: tuple[str, ...]) -> Rest | None:
    """The Rest of `screen` once its yes named `named`, or None when it cannot be regrouped: nothing
    of it named, or a sign of it without a question of its own (it could not be asked alone)."""
    singles = single_questions(content)
    said = tuple(f for f in screen.findings if f in named)
    if screen.kind is not Kind.YES_NO or len(screen.findings) < 2 or not said:
        return None
    if any(f not in singles for f in screen.findings):
        return None
    left = tuple(f for f in screen.findings if f not in said and not known(f))
    # One sign left is asked in its own question, where it matters (the tree's node for it).
    return Rest(screen.id, said, left if len(left) > 1 else ())


def question(content: Content, rest: Rest, fill: Callable[[str], str] = str) -> Question:
    """The signs left of the screen, asked together, in the words of their read-back labels."""
    singles = single_questions(content)
    screen = content.questions[rest.screen]
    named = [_lower(content.questions[singles[f]].readback) for f in rest.named]
    items = " ".join(_sentence(content.questions[singles[f]].readback) for f in rest.left)
    text = content.say("screen_rest").format(named=_joined(named, content.say("and_word")), items=items)
    again = content.say("screen_rest_again").format(items=items)
    return Question(REST, Kind.YES_NO, rest.left, fill(text), fill(again), screen.help, screen.why,
                    screen.readback, source=screen.source)


def _lower(label: str) -> str:
    return label[:1].lower() + label[1:]


def _sentence(label: str) -> str:
    label = label.strip()
    return label if label.endswith((".", "?", "!")) else label + "."


def _joined(parts: list[str], and_word: str) -> str:
    if len(parts) < 2:
        return "".join(parts)
    return ", ".join(parts[:-1]) + f" {and_word} " + parts[-1]
