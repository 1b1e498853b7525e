"""Free text made comparable: clauses of plain lower-case words, and phrase templates matched in them.

Both what people say and the templates of grammar/phrasing.yaml and grammar/findings.yaml go through
`Spelling.words`, so "can't", "cant" and "cannot" are one word, and a template written "I have" finds
"I've". A template is hassil-like: `(a|b)` alternatives, `[a]` optional, `word*` any ending of a
word, `...` up to three other words, `<n>` any number written in digits.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rapidfuzz.distance import OSA

from ..errors import ContentError

CLAUSE_BREAK = re.compile(r"([,.;:!?]+|\s(?:but|though|although|except)\s)")
"""Where an answer splits into clauses (the break kept, to know which clause follows a "but")."""
_TOKEN = re.compile(r"[a-z0-9]+")
TYPO_LENGTH = 7
"""The shortest word that is corrected as a typo."""


@dataclass(frozen=True)
class Clause:
    """One stretch of an answer between commas, full stops or a "but"; `text` is " w1 w2 ... "."""

    text: str
    after_contrast: bool = False
    """The clause follows a "but", "though", "although" or "except": it qualifies what came before."""


class Spelling:
    """How words are written down for matching: one spelling per word, fillers dropped."""

    def __init__(self, rewrites: dict[str, str], fillers: list[str], known: set[str]):
        # Longest phrases first, so "i have not" is rewritten before "i have".
        self._rewrites = sorted(((f" {self._plain(k)} ", f" {self._plain(v)} ") for k, v in rewrites.items()),
                                key=lambda kv: -len(kv[0]))
        self._fillers = sorted((f" {self._plain(f)} " for f in fillers), key=len, reverse=True)
        self.known = set(known)
        """Words the templates use: a word close to one of these (a typo) is read as it."""

    @staticmethod
    def _plain(text: str) -> str:
        text = text.lower().replace("’", "'").replace("'", "")
        return " ".join(_TOKEN.findall(text))

    def words(self, text: str, *, drop_fillers: bool = True) -> str:
        """`text` as " w1 w2 ... " (spaces at both ends), rewritten to one spelling per word."""
        padded = f" {self._plain(text)} "
        # Letters said over and over ("nooo", "yesss") count once more than twice.
        padded = re.sub(r"([a-z])\1{2,}", r"\1", padded)
        for old, new in self._rewrites:
            while old in padded:
                padded = padded.replace(old, new)
        if drop_fillers:
            for filler in self._fillers:
                while filler in padded:
                    padded = padded.replace(filler, " ")
        return padded

    def corrected(self, words: str) -> str:
        """Each unknown word of seven letters or more that is one slip (a typo) from exactly one
        known word with the same first letter, replaced by it ("temprature"). Shorter words are too
        often other real words ("drags" is not "drugs", "shower" not "slower")."""
        out = []
        for word in words.split():
            if len(word) >= TYPO_LENGTH and word not in self.known and not word.isdigit():
                # A typo seldom changes the first letter; a different real word often does ("talking").
                near = [k for k in self.known if k[0] == word[0] and abs(len(k) - len(word)) <= 1
                        and OSA.distance(word, k) <= 1]
                if len(near) == 1:
                    word = near[0]
            out.append(word)
        return f" {' '.join(out)} "

    def clauses(self, text: str) -> list[Clause]:
        """The answer split at punctuation and at "but"; each clause in matching spelling."""
        raw = text.lower().replace("’", "'")
        parts = CLAUSE_BREAK.split(f" {raw} ")
        clauses = [Clause(self.corrected(self.words(p)), i > 0 and parts[i - 1].strip().isalpha())
                   for i, p in enumerate(parts) if i % 2 == 0]
        return [c for c in clauses if c.text.strip()]


class Template:
    """One phrase template compiled to a regular expression over " w1 w2 ... " text."""

    def __init__(self, source: str, spelling: Spelling, where: str):
        self.source = source
        self.literals = frozenset(spelling.words(re.sub(r"[()\[\]|*]|\.\.\.|<n>", " ", source),
                                                 drop_fillers=False).split())
        """Every word the template writes out (a negation among them is part of the phrase)."""
        try:
            self.regex = re.compile(" " + self._compile(source, spelling))
        except (re.error, ValueError) as err:
            raise ContentError(f"the phrase {source!r} is not a valid template ({err})", where=where,
                               fix="check its (|) and [] brackets") from None

    @staticmethod
    def _compile(source: str, spelling: Spelling) -> str:
        out: list[str] = []
        depth = 0
        for token in re.findall(r"\.\.\.|<n>|[()\[\]|]|[^\s()\[\]|]+", source.lower()):
            if token == "(":
                out.append("(?:")
                depth += 1
            elif token == "[":
                out.append("(?:")
                depth += 1
            elif token == ")":
                out.append(")")
                depth -= 1
            elif token == "]":
                out.append(")?")
                depth -= 1
            elif token == "|":
                out.append("|")
            elif token == "...":
                out.append(r"(?:\S+ ){0,3}?")
            elif token == "<n>":
                out.append(r"\d+ ")
            else:
                stem = token.endswith("*")
                word = spelling.words(token.rstrip("*"), drop_fillers=False).strip()
                if not word:
                    raise ValueError(f"{token!r} has no letters")
                # A word the rewrites turn into two or more stays one unit.
                out.append("(?:" + re.escape(word) + (r"\S*" if stem else "") + " )")
            if depth < 0:
                raise ValueError("a closing bracket without its opening one")
        if depth != 0:
            raise ValueError("a bracket is not closed")
        return "".join(out)

    def search(self, text: str) -> re.Match | None:
        return self.regex.search(text)

    def spans(self, text: str) -> list[tuple[int, int]]:
        """Where the template occurs in `text` (not overlapping)."""
        return [(m.start(), m.end()) for m in self.regex.finditer(text)]

    def words(self) -> set[str]:
        """The whole words the template writes out (not stems like "numb*"), for typo correction."""
        tokens = re.findall(r"[a-z*]+", self.source.lower().replace("'", ""))
        return {w for w in tokens if "*" not in w and len(w) >= TYPO_LENGTH}


def templates(sources: object, spelling: Spelling, where: str) -> tuple[Template, ...]:
    """A list of template strings from YAML, compiled; a clear error if it is not a list of strings."""
    if sources is None:
        return ()
    if not isinstance(sources, list) or not all(isinstance(s, str) for s in sources):
        raise ContentError("expected a list of phrases", where=where,
                           fix='write it as: ["phrase one", "phrase two"]')
    return tuple(Template(s, spelling, where) for s in sources)


def mask(text: str, spans: list[tuple[int, int]]) -> str:
    """`text` with the words in `spans` replaced by "_" (their positions kept)."""
    chars = list(text)
    for start, end in spans:
        for i in range(start + 1, end - 1):
            if chars[i] != " ":
                chars[i] = "_"
    return "".join(chars)
