"""A number anywhere in an answer, in words or digits: "I'll be fifty two in May", "7/10", "a 6 or 7".

Number words become digits with text2num (`alpha2digit`). Where several numbers are said ("seven,
maybe eight", "sixty sev... sixty seven") the highest counts: for a pain score that is the safer
reading, for an age it is the one a false start ends on. "Out of ten" and numbers of days or weeks
are not the answer, and a number said of a later time ("sixty eight, sixty nine in May") gives way to
one said beside it. A minus sign or "minus" makes the answer out of range.
"""

from __future__ import annotations

import math
import re
from datetime import date

from .phrasing import NumberWords
from .wording import Spelling, mask

NEGATIVE = re.compile(r"(?:^|[^\w/.-])-\s*\d|\bminus\b")
YEAR = re.compile(r" (1[89]\d\d|20\d\d) ")


def is_negative(raw: str) -> bool:
    """True when the answer gives a number below zero ("-5", "minus five")."""
    return bool(NEGATIVE.search(raw.lower()))


def digits(raw: str, spelling: Spelling) -> str:
    """The answer in matching spelling with number words as digits, "7/10" as "7 out of 10", "6-7" as
    "6 to 7"."""
    from text_to_num import alpha2digit  # the parser is only needed for free answers

    text = raw.lower()
    text = re.sub(r"(\d)\s*/\s*(\d)", r"\1 out of \2", text)
    text = re.sub(r"\by\s*/\s*o\b", " years old ", text)
    text = re.sub(r"(\d)\s*(?:yo|yrs|yr)\b", r"\1 years old ", text)
    text = re.sub(r"(\d)\s*-\s*(\d)", r"\1 to \2", text)
    words = spelling.words(text).strip()
    return f" {alpha2digit(words, 'en', threshold=0)} " if words else " "


TEEN_THEN_UNIT = re.compile(r"(?<![\w.])(1[3-9]) ([1-9])(?![\w.])")
"""A -teen said before a unit ("fifteen five", "seventeen one") is no number anyone says: a
recognizer wrote the -ty of "fifty five" as "fifteen" (bench: "I am fifty five" written "i am
fifteen five")."""


def _teen_then_unit(text: str) -> str:
    """"15 5" as 55: the -ty the -teen stands for, then its unit."""
    return TEEN_THEN_UNIT.sub(lambda m: str((int(m[1]) - 10) * 10 + int(m[2])), text)


def number_in(raw: str, spelling: Spelling, words: NumberWords, today: date) -> int | None:
    """The number the answer gives, or None if it gives none."""
    text = digits(raw, spelling)
    for template in (*words.scale, *words.not_the_answer):
        text = mask(text, template.spans(text))
    text = _teen_then_unit(text)
    if any(t.search(text) for t in words.born):
        years = [int(y) for y in YEAR.findall(text) if 1880 <= int(y) <= today.year]
        if years:
            return today.year - max(years)
    # A number said of a later time ("sixty nine in May") gives way to another said beside it.
    now = text
    for template in words.later:
        now = mask(now, template.spans(now))
    if re.search(r"(?<![\w.])\d+(?![\w])", now):
        text = now
    values = [float(v) for v in re.findall(r"(?<![\w.])(\d+)(?![\w])", text)]
    for decade, base in words.decades.items():
        for m in re.finditer(rf" (?:(\S+(?: \S+)?) )?{decade} ", text):
            before = (m[1] or "").split()
            part = next((words.decade_parts[p] for p in (" ".join(before[-2:]), before[-1] if before else "")
                         if p in words.decade_parts), 5.0)
            values.append(base + part)
    # "8.5" is read as 8 and 5 once punctuation goes: a decimal said counts rounded up.
    values += [math.ceil(float(v)) for v in re.findall(r"(?<![\d.])\d+\.\d+(?![\d.])", raw)]
    if not values:
        return None
    return int(max(values))
