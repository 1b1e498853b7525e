"""Numbers a recognizer easily hears wrong: the other readings of a spoken number answer.

grammar/misheard.yaml gives the -teen/-ty words heard one for the other ("fifteen" / "fifty"), the
spoken yes and no heard one for the other ("uh huh" / "uh uh") and the answers unlikely enough for
a question to be checked whatever else was heard (an age under 16).
A transcript that holds two numbers ("seven to eight", "six three", "five five") may have been any
of them, or the two said as one ("seventy eight", "sixty three"). The dialog checks the answer when
one of these readings would change the advice (voice/dialog/checks.py).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import ContentError
from ..yamlio import load_yaml_file
from .numbers import digits
from .wording import Spelling

FILE = "misheard.yaml"


@dataclass(frozen=True)
class Misheard:
    """The mishearings of numbers of one grammar folder."""

    partners: dict[int, int]
    """Each -teen number with its -ty partner, both ways (15: 50, 50: 15)."""
    unlikely_below: dict[str, int]
    """Question id -> the answers below this are unlikely (age: 16)."""
    yes_no: dict[str, str] = field(default_factory=dict)
    """Each spoken yes or no with the words it is heard as, both ways ("uh uh": "uh huh")."""

    @classmethod
    def load(cls, folder: Path) -> Misheard:
        path = folder / FILE
        if not path.is_file():  # a grammar folder of an older release: no number is doubted
            return cls({}, {})
        data = load_yaml_file(path)
        if not isinstance(data, dict) or set(data) - {"language", "teen_ty", "unlikely", "yes_no"}:
            raise ContentError("misheard answers need `teen_ty`, `unlikely` and `yes_no` only",
                               where=str(path), fix="see the shipped grammar/misheard.yaml")
        pairs_said = data.get("yes_no") or []
        if not isinstance(pairs_said, list) or not all(_pair(p) for p in pairs_said):
            raise ContentError("`yes_no` lists pairs of words heard one for the other",
                               where=f"{path}, line {getattr(data, 'line_of', lambda k: 0)('yes_no')}",
                               fix='write it as: yes_no: [["uh huh", "uh uh"]]')
        said = {a: b for a, b in pairs_said} | {b: a for a, b in pairs_said}
        pairs = data.get("teen_ty") or {}
        unlikely = data.get("unlikely") or {}
        try:
            partners = {int(a): int(b) for a, b in pairs.items()}
            below = {str(q): int(rule["below"]) for q, rule in unlikely.items()}
        except (TypeError, ValueError, KeyError, AttributeError):
            raise ContentError("`teen_ty` maps numbers to numbers, `unlikely` question ids to {below: N}",
                               where=f"{path}, line {getattr(data, 'line_of', lambda k: 0)('teen_ty')}",
                               fix="write them as: teen_ty: {15: 50}; unlikely: {age: {below: 16}}") from None
        return cls({**partners, **{b: a for a, b in partners.items()}}, below, said)

    def readings(self, text: str, spelling: Spelling) -> set[int]:
        """Every number the person may have said, by the transcript `text`: its numbers, two joined
        as one ("six three": 63) and the -teen/-ty partner of each."""
        found = [int(n) for n in re.findall(r"(?<![\w.])(\d+)(?![\w])", digits(text, spelling))]
        values = set(found)
        for a, b in zip(found, found[1:], strict=False):
            if a % 10 == 0 and 20 <= a <= 90 and 0 < b < 10:
                values.add(a + b)  # "seventy eight" written "70 8"
            if 0 < a < 10 and b < 10:
                values.add(a * 10 + b)  # "six three": sixty three
        values |= {self.partners[v] for v in values if v in self.partners}
        return values

    def heard_for(self, text: str) -> str | None:
        """The words a spoken yes or no `text` is easily heard for ("uh huh" for "uh uh"), or None."""
        return self.yes_no.get(" ".join(text.lower().split()))

    def unlikely(self, question_id: str, value: object) -> bool:
        below = self.unlikely_below.get(question_id)
        return below is not None and isinstance(value, int | float) and value < below


def _pair(item: object) -> bool:
    return isinstance(item, list) and len(item) == 2 and all(isinstance(w, str) for w in item)


__all__ = ["Misheard"]
