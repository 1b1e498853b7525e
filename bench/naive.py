"""The naive peer: open-vocabulary transcription, then keyword spotting, as hobby assistants do.

`naive_meaning(text, kind, choices)` turns a free transcription into the same canonical meaning
strings as the corpus (see bench.corpus.meaning): the first command keyword found wins,
then "not sure" forms, then no-words, then yes-words; numbers are read from number words or
digits; durations from a number and a unit. It is deliberately generous (it knows every keyword
of our grammar), so the comparison measures the grammar-constrained decoding, not a straw man.
"""

from __future__ import annotations

import re

COMMAND_KEYWORDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("help_now", ("help now", "help me now", "emergency", "ambulance", "doctor now")),
    ("repeat", ("repeat", "again", "pardon", "say that", "what did you say", "come again")),
    ("back", ("go back", "back", "undo", "previous", "mistake", "wrong", "change my answer")),
    ("slower", ("slower", "slow down", "slowly", "too fast")),
    ("faster", ("faster", "speed up", "quicker", "too slow")),
    ("louder", ("louder", "speak up", "volume up", "can't hear", "too quiet")),
    ("quieter", ("quieter", "softer", "volume down", "too loud")),
    ("restart", ("restart", "start again", "start over", "begin again")),
    ("stop", ("stop", "quit", "exit", "cancel", "bye", "done", "end", "finish")),
    ("help", ("help", "explain", "what do you mean", "understand", "mean", "why")),
)
UNSURE_KEYWORDS = (
    "not sure",
    "don't know",
    "do not know",
    "dunno",
    "maybe",
    "perhaps",
    "possibly",
    "unsure",
    "no idea",
    "can't tell",
    "cannot tell",
    "can't say",
    "cannot say",
    "hard to say",
    "not certain",
    "remember",
)
NO_KEYWORDS = (
    "no",
    "nope",
    "nah",
    "not",
    "never",
    "none",
    "nothing",
    "don't",
    "doesn't",
    "haven't",
    "isn't",
    "wasn't",
    "hasn't",
    "negative",
)
YES_KEYWORDS = (
    "yes",
    "yeah",
    "yep",
    "yup",
    "aye",
    "ya",
    "sure",
    "correct",
    "right",
    "true",
    "definitely",
    "absolutely",
    "course",
    "think so",
    "i do",
    "i have",
    "i am",
    "it does",
    "it is",
    "it was",
    "it has",
    "i did",
    "bit",
    "little",
    "sort of",
    "kind of",
    "somewhat",
    "uh huh",
    "mm hmm",
)

UNITS = (
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen "
    "sixteen seventeen eighteen nineteen"
).split()
TENS = {
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fifty": 50,
    "sixty": 60,
    "seventy": 70,
    "eighty": 80,
    "ninety": 90,
}
DAYS_PER = {"day": 1, "week": 7, "fortnight": 14, "month": 30, "year": 365}
FEW = {"a couple of": 2, "couple of": 2, "a few": 3, "few": 3, "several": 3, "a": 1, "an": 1, "half a": 0.5}


def _has(text: str, phrase: str) -> bool:
    return re.search(rf"(?<![\w']){re.escape(phrase)}(?![\w'])", text) is not None


def parse_number(text: str) -> int | None:
    """The first number in `text`, from digits or English number words (0..199); None if none."""
    m = re.search(r"\d+", text)
    if m:
        return int(m.group())
    words = text.split()
    for i, w in enumerate(words):
        if w in TENS:
            value = TENS[w]
            if i + 1 < len(words) and words[i + 1] in UNITS[1:10]:
                value += UNITS.index(words[i + 1])
            return value
        if w in UNITS:
            return UNITS.index(w)
        if w == "hundred":
            return 100
    return None


def parse_days(text: str) -> float | None:
    """A duration in days from "about three weeks", "since yesterday", "a couple of months"; None."""
    if _has(text, "yesterday") or _has(text, "today") or _has(text, "last night"):
        return 1
    if _has(text, "last week"):
        return 7
    if _has(text, "last year"):
        return 365
    for unit, days in DAYS_PER.items():
        m = re.search(rf"(?<![\w'])(.*?)\b{unit}s?\b", text)
        if not m:
            continue
        before = m.group(1).strip()
        count = parse_number(before)
        if count is None:
            count = next((v for k, v in FEW.items() if before.endswith(k)), 1)
        return count * days
    return None


def naive_meaning(
    text: str | None, kind: str, choices: tuple[tuple[str, int | None], ...] = ()
) -> str | None:
    """What a keyword spotter makes of `text` for a question of `kind` (yes_no, number, choice).

    `choices`: (value id, max_days) of a choice question in order. Returns a canonical meaning
    string ("yes", "42", "one_to_six_weeks", "command:repeat") or None.
    """
    if not text:
        return None
    t = " ".join(re.sub(r"[^\w' ]+", " ", text.lower()).split())
    for name, keywords in COMMAND_KEYWORDS:
        if any(_has(t, k) for k in keywords):
            return f"command:{name}"
    if any(_has(t, k) for k in UNSURE_KEYWORDS):
        return "unsure"
    if kind == "number":
        n = parse_number(t)
        return None if n is None else str(n)
    if kind == "choice":
        days = parse_days(t)
        if days is None:
            return None
        for value, max_days in choices:
            if max_days is None or days <= max_days:
                return value
        return None
    if any(_has(t, k) for k in NO_KEYWORDS):
        return "no"
    if any(_has(t, k) for k in YES_KEYWORDS):
        return "yes"
    return None
