"""The vocabulary of free answers, from grammar/phrasing.yaml and grammar/findings.yaml.

phrasing.yaml holds how people say yes, no and not sure, the commands in their own words, and the
words of numbers and durations; findings.yaml holds, per finding id of docs/protocol.md, the phrases
that say the finding is there (`yes`), is not (`no`) or might be (`unsure`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path

from ..yamlio import Mapping, YamlReader
from .wording import Spelling, Template, templates

PHRASING_FILE = "phrasing.yaml"
FINDINGS_FILE = "findings.yaml"
COMMAND_KEYS = {"command", "anywhere", "whole"}


@dataclass(frozen=True)
class FindingWords:
    """The phrases that assert, deny or hedge one finding."""

    yes: tuple[Template, ...]
    no: tuple[Template, ...]
    unsure: tuple[Template, ...]
    long_standing: tuple[Template, ...] = ()
    """For a finding that is only there when it is new: phrases anywhere in the answer that say what
    was described has been so for a long time ("it's been like that for a couple of years")."""
    recent: tuple[Template, ...] = ()
    """Phrases that say something changed lately ("worse since Monday"): a long-standing phrase
    then denies nothing."""
    explained: tuple[Template, ...] = ()
    """Phrases that put what was described down to something harmless ("sore from the training")."""
    unexplained: tuple[Template, ...] = ()
    """Phrases that keep it the sign whatever the explanation ("numb", "weak"): an explained phrase
    then denies nothing."""


@dataclass(frozen=True)
class CommandWords:
    """One command's phrases: `anywhere` in an answer, or making up the `whole` answer."""

    command: str
    anywhere: tuple[Template, ...]
    whole: tuple[Template, ...]


@dataclass(frozen=True)
class AnswerWords:
    leading_yes: tuple[Template, ...]
    leading_no: tuple[Template, ...]
    yes: tuple[Template, ...]
    no: tuple[Template, ...]
    unsure: tuple[Template, ...]
    corrections: tuple[Template, ...]
    negators: frozenset[str]
    belief_words: frozenset[str]
    verb_negators: frozenset[str]
    yes_first: tuple[Template, ...]
    someone_else: tuple[Template, ...]
    hedges: tuple[Template, ...]
    new_subject: frozenset[str]
    said_last: frozenset[str] = frozenset()
    check_yes: tuple[Template, ...] = ()
    """Replies that confirm the assistant's check of what it heard ("spot on", "you got it")."""
    check_no: tuple[Template, ...] = ()
    """Replies that deny it ("that's wrong", "you misheard"); read before `check_yes`."""
    contrast: frozenset[str] = frozenset()
    """Words that start a denial said against what came before ("not weak, just sore")."""
    own_children: tuple[Template, ...] = ()
    """One's children ("my son"): someone else, like `someone_else`, unless the person asked about
    is a child (a parent answering "my son has a fever"): `for_a_child`."""


@dataclass(frozen=True)
class NumberWords:
    scale: tuple[Template, ...]
    """"out of ten" and the like, taken out before numbers are read."""
    not_the_answer: tuple[Template, ...]
    """A number followed by one of these (days, weeks) is not the answer to a number question."""
    born: tuple[Template, ...]
    """Phrases that make a year a birth year."""
    later: tuple[Template, ...]
    """A number said of a later time ("69 in May"): not the answer when another number is given."""
    decades: dict[str, float]
    """"forties": 40."""
    decade_parts: dict[str, float]
    """"mid": 5 ("mid forties": 45)."""


@dataclass(frozen=True)
class DurationWords:
    units: dict[str, float]
    amounts: dict[str, float]
    bare: dict[str, float]
    vague: dict[str, float]
    relative: dict[str, float]
    dates: dict[str, tuple[int, int]]
    weekday_aliases: dict[str, str]
    qualifiers: dict[str, float] = field(default_factory=dict)
    """Days added to a count said after these ("less than a week": 6, "more than six weeks": 43)."""
    month_parts: dict[str, float] = field(default_factory=dict)
    """The day of a month named after these ("mid december": the 15th)."""
    period_starts: dict[str, str] = field(default_factory=dict)
    """The start of the present week, month or year by its name ("the beginning of the month")."""


@dataclass(frozen=True)
class LabelWords:
    """How people name an answer at the read-back ("which answer do you want to change?")."""

    ignore: frozenset[str]
    """Words that name no answer ("the", "one", "change")."""
    ordinals: dict[str, float]
    """"first": 1, "last": -1."""
    questions: dict[str, tuple[Template, ...]]
    """Per question id, phrases that name its answer ("the age one", "how long")."""


@dataclass(frozen=True)
class Phrasing:
    spelling: Spelling
    answers: AnswerWords
    commands: tuple[CommandWords, ...]
    numbers: NumberWords
    durations: DurationWords
    findings: dict[str, FindingWords]
    labels: LabelWords

    @classmethod
    def load(cls, folder: Path, command_names: tuple[str, ...] = ()) -> Phrasing:
        """The vocabulary of `folder`; a command entry must name one of `command_names` (or "none")."""
        r = YamlReader(folder)
        data = r.mapping(r.load(PHRASING_FILE), PHRASING_FILE)
        spelling = Spelling(r.word_map(data, "rewrites", "rewrites"), r.words(data, "fillers", "fillers", []),
                            set())

        def t(section: Mapping, key: str, name: str, reader: YamlReader = r) -> tuple[Template, ...]:
            return templates(section.get(key), spelling, f"{reader.where(section, key)}, {name} {key}")

        def normal(words: dict | list) -> list[str]:
            return [spelling.words(str(w)).strip() for w in words]

        def numbers(section: Mapping, key: str, name: str, default: dict | None = None) -> dict[str, float]:
            found = r.number_map(section, key, f"{name} {key}", default)
            return dict(zip(normal(found), found.values(), strict=True))

        a = r.mapping(data.get("answers"), "answers", data, "answers")

        def word_set(key: str) -> frozenset[str]:
            return frozenset(normal(r.words(a, key, f"answers {key}", [])))

        answers = AnswerWords(
            **{key: t(a, key, "answers") for key in ANSWER_PHRASES},
            **{key: word_set(key) for key in ANSWER_WORDS},
        )
        commands = [_command(r, item, i, data, command_names, t)
                    for i, item in enumerate(data.get("commands") or [])]
        n = r.mapping(data.get("numbers"), "numbers", data, "numbers")
        number_words = NumberWords(t(n, "scale", "numbers"), t(n, "not_the_answer", "numbers"),
                                   t(n, "born", "numbers"), t(n, "later", "numbers"),
                                   numbers(n, "decades", "numbers", {}),
                                   numbers(n, "decade_parts", "numbers", {}))
        d = r.mapping(data.get("durations"), "durations", data, "durations")
        durations = DurationWords(
            units=numbers(d, "units", "durations"), amounts=numbers(d, "amounts", "durations"),
            bare=numbers(d, "bare", "durations"), vague=numbers(d, "vague", "durations"),
            relative=numbers(d, "relative", "durations"), dates=_dates(r, d, spelling),
            qualifiers=numbers(d, "qualifiers", "durations", {}),
            month_parts=numbers(d, "month_parts", "durations", {}),
            period_starts=_period_starts(r, d, spelling),
            weekday_aliases={spelling.words(k).strip(): v.lower() for k, v in
                             r.word_map(d, "weekday_aliases", "durations weekday_aliases").items()})
        lab = r.mapping(data.get("labels", Mapping(questions={})), "labels", data, "labels")
        r.keys(lab, set(), {"ignore", "ordinals", "questions"}, "labels")
        named = r.mapping(lab.get("questions") or Mapping(), "labels questions", lab, "questions")
        labels = LabelWords(
            ignore=frozenset(normal(r.words(lab, "ignore", "labels ignore", []))),
            ordinals=numbers(lab, "ordinals", "labels", {}),
            questions={str(qid): t(named, qid, "labels") for qid in named})
        findings = _findings(YamlReader(folder), t)
        known: set[str] = set()
        every = [*answers.yes_first, *answers.leading_yes, *answers.leading_no, *answers.yes, *answers.no,
                 *answers.unsure, *answers.check_yes, *answers.check_no,
                 *(x for c in commands for x in (*c.anywhere, *c.whole)),
                 *(x for f in findings.values() for x in (*f.yes, *f.no, *f.unsure))]
        for template in every:
            known |= template.words()
        known |= set(durations.units) | set(durations.vague) | set(durations.relative)
        spelling.known |= known
        return cls(spelling, answers, tuple(commands), number_words, durations, findings, labels)

    def for_a_child(self) -> Phrasing:
        """The vocabulary read when the person asked about is a child: "my son" is that child."""
        return replace(self, answers=replace(self.answers, own_children=()))


ANSWER_PHRASES = ("leading_yes", "leading_no", "yes", "no", "unsure", "corrections", "hedges", "someone_else",
                  "own_children", "yes_first", "check_yes", "check_no")
"""The `answers` keys that hold phrases (templates)."""
ANSWER_WORDS = ("verb_negators", "belief_words", "negators", "new_subject", "said_last", "contrast")
"""The `answers` keys that hold single words."""


def _command(r: YamlReader, item: object, i: int, data: Mapping, command_names: tuple[str, ...],
             t) -> CommandWords:
    """One entry of `commands`: the command it names, said `anywhere` or as the `whole` answer."""
    item = r.mapping(item, f"commands entry {i + 1}", data, "commands")
    if set(item) - COMMAND_KEYS or not isinstance(item.get("command"), str):
        r.fail("each command entry has `command` and `anywhere` and/or `whole` phrases", item,
               fix="write it as: {command: help, whole: [\"what\"]}")
    if command_names and item["command"] not in (*command_names, "none"):
        r.fail(f"there is no command {item['command']!r}", item, "command",
               fix="use one of: " + ", ".join((*command_names, "none")))
    return CommandWords(item["command"], t(item, "anywhere", "commands"), t(item, "whole", "commands"))


def _dates(r: YamlReader, d: Mapping, spelling: Spelling) -> dict[str, tuple[int, int]]:
    """`durations.dates`: named days of the year ("christmas": "12-25"), each a real month and day."""
    named = r.word_map(d, "dates", "durations dates")
    dates = {}
    for name, value in named.items():
        m = re.fullmatch(r"(\d{1,2})-(\d{1,2})", value)
        if not m:
            r.fail(f"the date of {name!r} is not month-day", named, name, fix='write it as "12-25"')
        try:
            date(2000, int(m[1]), int(m[2]))
        except ValueError:
            r.fail(f"the date of {name!r}, {value!r}, is no day of the year (month-day)", named, name,
                   fix='give a real month and day, e.g. "12-25"')
        dates[spelling.words(name).strip()] = (int(m[1]), int(m[2]))
    return dates


def _period_starts(r: YamlReader, d: Mapping, spelling: Spelling) -> dict[str, str]:
    """Phrases naming the start of a period, mapped to the period (week, month or year)."""
    value = r.mapping(d.get("period_starts", {}), "durations period_starts", d, "period_starts")
    if not all(p in ("week", "month", "year") and isinstance(v, list) for p, v in value.items()):
        r.fail("durations period_starts: expected week, month or year, each with a list of phrases", d,
               "period_starts", fix='write it as: {month: ["start of the month"]}')
    return {spelling.words(str(phrase)).strip(): period
            for period, phrases in value.items() for phrase in phrases}


def _findings(r: YamlReader, t) -> dict[str, FindingWords]:
    """findings.yaml: per finding id, the phrases that say it is there, is not, or might be."""
    data = r.mapping(r.load(FINDINGS_FILE), FINDINGS_FILE)
    findings = {}
    for fid, entry in data.items():
        entry = r.mapping(entry, f"finding {fid!r}", data, fid)
        keys = ("yes", "no", "unsure", "long_standing", "recent", "explained", "unexplained")
        r.keys(entry, set(), set(keys), f"finding {fid!r}")
        findings[fid] = FindingWords(*(t(entry, key, fid, r) for key in keys))
    return findings
