"""The vocabulary of free answers, from grammar/phrasing.yaml and grammar/findings.yaml.

phrasing.yaml holds how people say yes, no and not sure, the commands in their own words, and the
words of numbers and durations; findings.yaml holds, per finding id of docs/protocol.md, the phrases
that say the finding is there (`yes`), is not (`no`) or might be (`unsure`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from ..errors import ContentError
from ..yamlio import load_yaml_file
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
        where = str(folder / PHRASING_FILE)
        data = _mapping(load_yaml_file(folder / PHRASING_FILE), where)
        fwhere = str(folder / FINDINGS_FILE)
        fdata = _mapping(load_yaml_file(folder / FINDINGS_FILE), fwhere)
        spelling = Spelling(_str_map(data.get("rewrites", {}), f"{where} rewrites"),
                            _str_list(data.get("fillers", []), f"{where} fillers"), set())
        a = _mapping(data.get("answers"), f"{where} answers")

        def t(section: dict, key: str, place: str) -> tuple[Template, ...]:
            return templates(section.get(key), spelling, f"{place} {key}")

        def word_set(key: str) -> frozenset[str]:
            return frozenset(spelling.words(w).strip() for w in _str_list(a.get(key, []), f"{where} {key}"))

        answers = AnswerWords(
            leading_yes=t(a, "leading_yes", where), leading_no=t(a, "leading_no", where),
            yes=t(a, "yes", where), no=t(a, "no", where), unsure=t(a, "unsure", where),
            corrections=t(a, "corrections", where), hedges=t(a, "hedges", where),
            someone_else=t(a, "someone_else", where),
            yes_first=t(a, "yes_first", where),
            verb_negators=word_set("verb_negators"), belief_words=word_set("belief_words"),
            negators=word_set("negators"), new_subject=word_set("new_subject"),
            said_last=word_set("said_last"), contrast=word_set("contrast"),
            check_yes=t(a, "check_yes", where), check_no=t(a, "check_no", where),
        )
        commands = []
        for i, item in enumerate(data.get("commands") or []):
            place = f"{where} commands[{i}]"
            item = _mapping(item, place)
            if set(item) - COMMAND_KEYS or not isinstance(item.get("command"), str):
                raise ContentError("each command entry has `command` and `anywhere` and/or `whole` phrases",
                                   where=place, fix="write it as: {command: help, whole: [\"what\"]}")
            if command_names and item["command"] not in (*command_names, "none"):
                raise ContentError(f"there is no command {item['command']!r}", where=place,
                                   fix="use one of: " + ", ".join((*command_names, "none")))
            commands.append(
                CommandWords(item["command"], t(item, "anywhere", place), t(item, "whole", place)))
        n = _mapping(data.get("numbers"), f"{where} numbers")
        numbers = NumberWords(t(n, "scale", where), t(n, "not_the_answer", where), t(n, "born", where),
                              t(n, "later", where),
                              _num_map(n.get("decades", {}), spelling, f"{where} decades"),
                              _num_map(n.get("decade_parts", {}), spelling, f"{where} decade_parts"))
        d = _mapping(data.get("durations"), f"{where} durations")
        dates = {}
        for name, value in _str_map(d.get("dates", {}), f"{where} dates").items():
            m = re.fullmatch(r"(\d{1,2})-(\d{1,2})", value)
            if not m:
                raise ContentError(f"the date of {name!r} is not month-day", where=f"{where} dates",
                                   fix='write it as "12-25"')
            dates[spelling.words(name).strip()] = (int(m[1]), int(m[2]))
            date(2000, int(m[1]), int(m[2]))
        durations = DurationWords(
            units=_num_map(d.get("units"), spelling, f"{where} units"),
            amounts=_num_map(d.get("amounts"), spelling, f"{where} amounts"),
            bare=_num_map(d.get("bare"), spelling, f"{where} bare"),
            vague=_num_map(d.get("vague"), spelling, f"{where} vague"),
            relative=_num_map(d.get("relative"), spelling, f"{where} relative"),
            dates=dates, qualifiers=_num_map(d.get("qualifiers", {}), spelling, f"{where} qualifiers"),
            month_parts=_num_map(d.get("month_parts", {}), spelling, f"{where} month_parts"),
            period_starts=_period_starts(d.get("period_starts", {}), spelling, f"{where} period_starts"),
            weekday_aliases={
                spelling.words(k).strip(): v.lower()
                for k, v in _str_map(d.get("weekday_aliases", {}), f"{where} weekday_aliases").items()})
        lab = _mapping(data.get("labels", {"questions": {}}), f"{where} labels")
        unknown_keys = sorted(set(lab) - {"ignore", "ordinals", "questions"})
        if unknown_keys:
            raise ContentError(f"unknown key {unknown_keys[0]!r}", where=f"{where} labels",
                               fix="labels has only ignore, ordinals and questions")
        named = _mapping(lab.get("questions") or {}, f"{where} labels questions")
        labels = LabelWords(
            ignore=frozenset(spelling.words(w).strip() for w in _str_list(lab.get("ignore", []), where)),
            ordinals=_num_map(lab.get("ordinals", {}), spelling, f"{where} labels ordinals"),
            questions={str(qid): templates(phrases, spelling, f"{where} labels {qid}")
                       for qid, phrases in named.items()})
        findings = {}
        for fid, entry in fdata.items():
            place = f"{fwhere} {fid}"
            entry = _mapping(entry, place)
            unknown = sorted(set(entry) - {"yes", "no", "unsure"})
            if unknown:
                raise ContentError(f"unknown key {unknown[0]!r}", where=place,
                                   fix="a finding has only yes, no and unsure phrases")
            findings[fid] = FindingWords(
                t(entry, "yes", place), t(entry, "no", place), t(entry, "unsure", place))
        known: set[str] = set()
        every = [*answers.yes_first, *answers.leading_yes, *answers.leading_no, *answers.yes, *answers.no,
                 *answers.unsure, *answers.check_yes, *answers.check_no,
                 *(x for c in commands for x in (*c.anywhere, *c.whole)),
                 *(x for f in findings.values() for x in (*f.yes, *f.no, *f.unsure))]
        for template in every:
            known |= template.words()
        known |= set(durations.units) | set(durations.vague) | set(durations.relative)
        spelling.known |= known
        return cls(spelling, answers, tuple(commands), numbers, durations, findings, labels)


def _mapping(value: object, where: str) -> dict:
    if not isinstance(value, dict):
        raise ContentError("expected a mapping of names to values", where=where,
                           fix="compare it with the shipped grammar folder")
    return value


def _str_list(value: object, where: str) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ContentError("expected a list of words", where=where, fix='write it as: ["um", "uh"]')
    return value


def _str_map(value: object, where: str) -> dict[str, str]:
    value = _mapping(value, where)
    if not all(isinstance(k, str) and isinstance(v, str) for k, v in value.items()):
        raise ContentError("expected words mapped to words", where=where, fix='write it as: {cannot: "cant"}')
    return value


def _period_starts(value: object, spelling: Spelling, where: str) -> dict[str, str]:
    """Phrases naming the start of a period, mapped to the period (week, month or year)."""
    value = _mapping(value, where)
    if not all(p in ("week", "month", "year") and isinstance(v, list) for p, v in value.items()):
        raise ContentError("expected week, month or year, each with a list of phrases", where=where,
                           fix='write it as: {month: ["start of the month"]}')
    return {spelling.words(str(phrase)).strip(): period
            for period, phrases in value.items() for phrase in phrases}


def _num_map(value: object, spelling: Spelling, where: str) -> dict[str, float]:
    value = _mapping(value, where)
    if not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in value.values()):
        raise ContentError("expected words mapped to numbers", where=where, fix="write it as: {week: 7}")
    return {spelling.words(str(k)).strip(): float(v) for k, v in value.items()}
