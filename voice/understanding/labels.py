"""Which answer the person wants to change at the read-back, named in their own words.

"The age one", "the pain score", "how long it's been", "the numbness", "the last one": matched to
the read-back's choices (one per answer read back, its label the question's `readback` words) with
the `labels` of grammar/phrasing.yaml. A phrase listed for a question decides; else the label that
shares the most words with the answer, if one shares more than any other; else an ordinal. Two
choices matched equally well are not guessed between: the question is asked again.
"""

from __future__ import annotations

from collections.abc import Sequence

from ..triage.model import Choice
from .phrasing import LabelWords
from .wording import Spelling

STEM = 4
"""Two words of at least this many letters that start alike ("numb", "numbness") are one word."""


def label_in(text: str, choices: Sequence[Choice], words: LabelWords, spelling: Spelling) -> str | None:
    """The id of the choice `text` (in matching spelling) names, or None."""
    if not choices:
        return None
    named = [c.id for c in choices if any(t.search(text) for t in words.questions.get(c.id, ()))]
    if len(named) == 1:
        return named[0]
    said = [w for w in text.split() if w not in words.ignore]
    pool = [c for c in choices if c.id in named] if named else list(choices)
    scores = {c.id: _shared(said, spelling.words(c.label).split(), words) for c in pool}
    best = max(scores.values())
    top = [cid for cid, score in scores.items() if score == best]
    if best > 0 and len(top) == 1:
        return top[0]
    if named:
        return None
    for word in said:
        if word in words.ordinals:
            index = int(words.ordinals[word])
            if 1 <= index <= len(choices) or index == -1:
                return choices[index - 1 if index > 0 else -1].id
    return None


def _shared(said: list[str], label: list[str], words: LabelWords) -> int:
    """How many of the words said are words of the label (or start like one)."""
    label = [w for w in label if w not in words.ignore]
    return sum(any(_alike(w, lw) for lw in label) for w in said)


def _alike(a: str, b: str) -> bool:
    if a == b:
        return True
    n = min(len(a), len(b))
    return n >= STEM and a[:STEM] == b[:STEM] and (a.startswith(b) or b.startswith(a))
