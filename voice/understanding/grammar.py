"""Spoken-answer grammars (hassil templates in grammar/*.yaml) and what an answer means.

Text mode and speech recognition use the same `Grammar`: speech recognizers get the sentences of
`expectation(question)` as their grammar, and their text goes through `understand` like typed text.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

from hassil import Intents, recognize_best
from hassil.intents import RangeSlotList, TextSlotList
from hassil.sample import sample_intents
from rapidfuzz import fuzz, process

from ..errors import ContentError, ContentErrors
from ..ports import Expectation
from ..shipped import shipped_folder
from ..triage.model import Kind, Question
from ..yamlio import load_yaml_file
from .misheard import Misheard
from .natural import CHECKS, NaturalReader
from .phrasing import Phrasing
from .prompts import load_closed_sets, load_prompts
from .templates import template_problems
from .yes_no import held_answers

_LOG = logging.getLogger(__name__)

TYPED_EVERYWHERE = "all_questions"
TYPED_NOT_YES_NO = "number_and_choice_questions"
"""The two lists of a grammar file's `typed_only`."""
WAKE_COMMANDS = ("command_help_now", "command_repeat")
"""The commands the idle kiosk listens for beside its wake phrases."""
FILES = ("answers.yaml", "numbers.yaml", "durations.yaml", "commands.yaml", "wake.yaml")
GROUPS = {
    "yes_no": ("answers", "commands"),
    "number": ("numbers", "answers", "commands"),
    "choice": ("durations", "answers", "commands"),
    "labels": ("answers", "commands"),
    "wake": ("wake", "commands"),
}
"""The files whose intents make up the grammar of each kind of turn."""
COMMANDS = ("repeat", "help", "back", "restart", "stop", "slower", "faster", "louder", "quieter", "help_now")
DAYS_PER = {"days": 1, "weeks": 7, "months": 30, "years": 365}
# The duration intents that name a choice directly, by the order of the question's choices.
DIRECT_CHOICES = ("duration_choice_short", "duration_choice_medium", "duration_choice_long")
FUZZY_CUTOFF = 88
# Fillers people add when typing or speaking; removed before matching.
SKIP_WORDS = ("um", "er", "erm", "hmm", "well", "roughly", "approximately", "probably",
              "just", "only", "now", "ago", "like", "please", "oh", "the past", "the last", "over")


@dataclass(frozen=True)
class Interpretation:
    """What one utterance means on one turn."""

    answer: object | None = None
    """"yes"/"no"/"unsure", an int, or a choice value id."""
    command: str | None = None
    """One of COMMANDS."""
    wake: bool = False
    """A kiosk wake phrase."""
    out_of_range: bool = False
    """A number outside the question's range."""


@dataclass(frozen=True)
class _Count:
    value: float


def default_grammar_dir() -> Path:
    """The grammar folder shipped inside the installed package (or the source tree)."""
    return shipped_folder("grammar")


def _normalize(text: str) -> str:
    text = text.lower().replace("’", "'")
    text = re.sub(r"[^\w' ]+", " ", text)
    return " ".join(text.split())


class Grammar:
    """The spoken-answer grammars of one folder."""

    def __init__(self, data: dict[str, dict], folder: Path, extra_wake: tuple[str, ...] = (),
                 typed_only: dict[str, list[str]] | None = None):
        self.folder = folder
        self._data = data
        self._extra_wake = tuple(_normalize(p) for p in extra_wake if p.strip())
        typed_only = typed_only or {}
        self.typed_only = frozenset(_normalize(p) for p in typed_only.get(TYPED_EVERYWHERE, []))
        """Sentences understood when typed but never listened for (see grammar/answers.yaml)."""
        self.typed_only_not_yes_no = self.typed_only | {
            _normalize(p) for p in typed_only.get(TYPED_NOT_YES_NO, [])}
        """Also not listened for on number and choice questions (see grammar/commands.yaml)."""
        self._intents: dict[str, Intents] = {}
        for kind, files in GROUPS.items():
            merged: dict = {"language": "en", "intents": {}, "lists": {}, "expansion_rules": {}}
            for name in files:
                merged["intents"].update(data[name].get("intents", {}))
                merged["lists"].update(data[name].get("lists", {}))
                merged["expansion_rules"].update(data[name].get("expansion_rules", {}))
            if kind != "yes_no" and kind != "labels" and kind != "wake":
                # Numbers and durations take "not sure" but not a bare yes or no.
                for intent in ("answer_yes", "answer_no"):
                    merged["intents"].pop(intent, None)
            if kind == "wake":
                # The idle kiosk acts on a wake phrase, "I need help now" and "repeat" only; the
                # other commands would just be sentences to mishear a wake phrase as ("start" as
                # "stop", docs/speech-measurements.md).
                for intent in [i for i in merged["intents"] if i.startswith("command_")]:
                    if intent not in WAKE_COMMANDS:
                        merged["intents"].pop(intent)
            try:
                self._intents[kind] = Intents.from_dict(merged)
            except Exception as err:  # hassil raises several kinds on bad templates
                raise ContentError(f"a grammar template is not valid: {err}", where=str(folder),
                                   fix="check the (|) and [] brackets of the sentences") from None
        self._phrases_cache: dict[tuple, tuple[str, ...]] = {}
        self.prompts = load_prompts(folder)
        """A few answers per kind of question that a recognizer is primed with (grammar/prompts.yaml)."""
        self.closed_sets = load_closed_sets(folder)  # what a recognizer scores: grammar/closed_set.yaml
        self.misheard = Misheard.load(folder)
        """Numbers a recognizer easily hears wrong (grammar/misheard.yaml)."""
        self.natural = NaturalReader(Phrasing.load(folder, COMMANDS))
        """Free answers in people's own words (grammar/phrasing.yaml, grammar/findings.yaml); its `today`
        clock, which durations are reckoned by, can be replaced (tests)."""

    @classmethod
    def load(cls, folder: Path | str | None = None, extra_wake: tuple[str, ...] = ()) -> Grammar:
        folder = Path(folder) if folder else default_grammar_dir()
        data = {}
        typed_only: dict[str, list[str]] = {TYPED_EVERYWHERE: [], TYPED_NOT_YES_NO: []}
        problems: list[ContentError] = []  # every file is read, and every problem reported at once
        for name in FILES:
            try:
                content = load_yaml_file(folder / name)
            except ContentError as err:
                problems.append(err)
                continue
            if not isinstance(content, dict) or "intents" not in content:
                problems.append(ContentError("a grammar file needs `language` and `intents`",
                                             where=str(folder / name),
                                             fix="see grammar/answers.yaml for the format"))
                continue
            unknown = set(content) - {"language", "intents", "lists", "expansion_rules", "typed_only"}
            if unknown:
                problems.append(ContentError(
                    f"unknown key {sorted(unknown)[0]!r}", where=str(folder / name),
                    fix="the allowed keys are: language, intents, lists, expansion_rules, typed_only"))
            listed = content.pop("typed_only", None) or {}
            if not isinstance(listed, dict) or set(listed) - set(typed_only) or not all(
                    isinstance(v, list) and all(isinstance(p, str) for p in v) for v in listed.values()):
                problems.append(ContentError(
                    "`typed_only` must map all_questions and/or number_and_choice_questions to lists of "
                    "sentences", where=str(folder / name),
                    fix='write it as: typed_only: {all_questions: ["y"]}'))
                listed = {}
            for key, sentences in listed.items():
                typed_only[key] += sentences
            data[name.removesuffix(".yaml")] = content
        if not problems:
            problems = template_problems(folder, data, GROUPS)
        if problems:
            raise ContentErrors(problems)
        grammar = cls(data, folder, extra_wake, typed_only)
        grammar.check()
        return grammar

    def check(self) -> None:
        """Every command and answer intent is present."""
        answers = {"answer_yes", "answer_no", "answer_unsure", "answer_number"}
        needed = {f"command_{c}" for c in COMMANDS} | answers
        present = set()
        for intents in self._intents.values():
            present |= set(intents.intents)
        missing = sorted(needed - present)
        if missing:
            raise ContentError(f"the grammar has no intent {missing[0]!r}", where=str(self.folder),
                               fix="restore it from the shipped grammar folder")
        for sentence in sorted(self.typed_only_not_yes_no):
            found = recognize_best(sentence, self._intents["yes_no"], language="en")  # every command
            command = found.intent.name.removeprefix("command_") if found and \
                found.intent.name.startswith("command_") else None
            if found is None or (sentence not in self.typed_only and command is None):
                raise ContentError(f"typed_only lists {sentence!r}, which is not a sentence of the grammar"
                                   + ("" if found is None else " for a command"),
                                   where=str(self.folder), fix="list only sentences of the intents (commands "
                                   "only under number_and_choice_questions)")
            if command == "help_now":
                raise ContentError(
                    f"typed_only lists {sentence!r}: the emergency phrases are always listened for",
                    where=str(self.folder), fix="take it out of typed_only")

    # ------------------------------------------------------------ phrases for recognizers

    def _slot_lists(self, question: Question | None) -> dict:
        if question is not None and question.kind is Kind.NUMBER:
            return {"value": RangeSlotList(name="value", start=question.minimum or 0,
                                           stop=question.maximum if question.maximum is not None else 120)}
        return {}

    def _kind(self, question: Question | None) -> str:
        if question is None:
            return "wake"
        if question.kind is Kind.CHOICE and not any(c.max_days is not None for c in question.choices) \
                and not self._is_duration(question):
            return "labels"
        return question.kind.value

    @staticmethod
    def _is_duration(question: Question) -> bool:
        return any(c.max_days is not None for c in question.choices)

    def number_doubtful(self, text: str, question: Question, value: object,
                        changes: Callable[[object, object], bool]) -> bool:
        """Whether a spoken number answer should be checked: `value` is unlikely for `question`, or
        another number the person may have said by the transcript `text` `changes` the advice."""
        if self.misheard.unlikely(question.id, value):
            return True
        readings = self.misheard.readings(text, self.natural.words.spelling)
        return any(changes(value, other) for other in readings - {value})

    def _meaning(self, text: str, question: Question | None) -> object:
        """What `text` means on `question`: its answer or command, None when it means neither."""
        found = self.understand(text, question) if text else None
        if found is None or found.out_of_range:
            return None
        return found.answer if found.answer is not None else found.command

    def expectation(self, question: Question | None, guard: str | None = None) -> Expectation:
        """What to listen for: the question's answers and every command (the wake phrases if None).

        `guard` names the safer answer ("yes" on a red-flag question): its sentences become
        `Expectation.guarded`."""
        key = (question.id, question.kind, question.minimum, question.maximum,
               tuple(c.label for c in question.choices)) if question else ("wake",)
        phrases = self._phrases_cache.get(key)
        if phrases is None:
            kind = self._kind(question)
            sentences = {
                _normalize(text)
                for _intent, text in sample_intents(self._intents[kind], language="en",
                                                    slot_lists=self._slot_lists(question))
            }
            if question is not None and question.kind is Kind.CHOICE:
                sentences |= {_normalize(c.label) for c in question.choices}
            if kind == "labels":
                # The read-back's answers by their spoken names ("pain score", "how long"): the
                # plain ones, without template signs, are listened for too.
                named = self.natural.words.labels.questions
                sentences |= {_normalize(t.source) for c in question.choices for t in named.get(c.id, ())
                              if re.fullmatch(r"[a-z' ]+", t.source)}
            if question is None:
                sentences |= set(self._extra_wake)
            yes_no = question is None or question.kind is Kind.YES_NO
            typed = self.typed_only if yes_no else self.typed_only_not_yes_no
            phrases = tuple(sorted(s for s in sentences if s and not re.search(r"\d", s) and s not in typed))
            self._phrases_cache[key] = phrases
        kind = question.kind.value if question else "wake"
        checking = question is not None and question.id in CHECKS
        prompt = "check" if checking and "check" in self.prompts else kind  # grammar/prompts.yaml
        expect = Expectation(question.id if question else "wake", kind, phrases,
                             single_words=self._number_words(question, phrases),
                             prompt=self.prompts.get(prompt, ()), checking=checking,
                             candidates=() if checking else self.closed_sets.get(kind, ()),
                             understood=lambda text, q=question: self.understand(text, q) is not None,
                             meaning=lambda text, q=question: self._meaning(text, q))
        if guard is None or question is None or question.kind is not Kind.YES_NO:
            # Only a yes/no answer can be the safer one: a number or a duration guards nothing (and
            # reading its thousands of sentences to find none took 3 s on the age question).
            return expect
        by = held_answers(guard, screen=len(question.findings) > 1)
        gkey = (phrases, question.kind, guard, by)  # yes/no questions share sentences and meanings
        if (found := self._phrases_cache.get(gkey)) is None:
            meanings = [(p, self._recognize(p, question)) for p in phrases]
            guarded = tuple(p for p, m in meanings if m is not None and m.answer == guard)
            held = tuple(p for p, m in meanings if m is not None and m.answer in by and not m.command)
            found = self._phrases_cache[gkey] = (guarded, held)
        guarded, held = found
        return replace(expect, guarded=guarded, held=held)

    def _number_words(self, question: Question | None, phrases: tuple[str, ...]) -> tuple[str, ...]:
        """The phrases of a number question that are one number word ("seven")."""
        if question is None or question.kind is not Kind.NUMBER:
            return ()
        key = ("single", phrases)
        found = self._phrases_cache.get(key)
        if found is None:
            found = tuple(p for p in phrases
                          if " " not in p and (m := self._recognize(p, question)) is not None
                          and isinstance(m.answer, int) and not m.command)
            self._phrases_cache[key] = found
        return found

    # ------------------------------------------------------------ understanding

    def understand(self, text: str, question: Question | None) -> Interpretation | None:
        """The meaning of `text` as an answer to `question` (a wake phrase when None); None if none."""
        norm = _normalize(text)
        if not norm or "\ufffd" in text:  # bytes that were not text, control characters: garbage
            return None
        if question is not None and self.natural.emergency(text):
            return Interpretation(command="help_now")  # before "please help" is read as "help"
        if question is not None and question.kind is Kind.NUMBER and self.natural.negative(text):
            return Interpretation(out_of_range=True)  # "-5" reads as 5 once punctuation is gone
        result = self._recognize(norm, question)
        if result is None or result.out_of_range:
            # Not one of the grammar's sentences (a number out of range in a sentence may be
            # "it's a 10"): read in the person's own words.
            result = self._read_free(text, question) or result
        if result is None:
            # Close to an allowed sentence (a typo, a recognizer slip): take that sentence.
            phrases = self.expectation(question).phrases
            match = process.extractOne(norm, phrases, scorer=fuzz.ratio, score_cutoff=FUZZY_CUTOFF)
            if match is not None:
                result = self._recognize(match[0], question)
        return result

    def named(self, text: str, question: Question) -> tuple[str, ...]:
        """The signs of an "any of these?" question that an answer names in so many words."""
        return self.natural.named(text, question) if text and "\ufffd" not in text else ()

    def _read_free(self, text: str, question: Question | None) -> Interpretation | None:
        """An answer in the person's own words, not a sentence of the grammar (understanding.natural)."""
        read = self.natural.read(text, question)
        if read is None:
            return None
        what, value = read
        if what == "command":
            return Interpretation(command=value)
        if what == "out_of_range":
            return Interpretation(out_of_range=True)
        return Interpretation(answer=value)

    def _recognize(self, norm: str, question: Question | None) -> Interpretation | None:
        kind = self._kind(question)
        if question is None and norm in self._extra_wake:
            return Interpretation(wake=True)
        if question is not None and question.kind is Kind.CHOICE:
            for choice in question.choices:
                if norm == _normalize(choice.label):
                    return Interpretation(answer=choice.id)
        r = recognize_best(norm, self._intents[kind], slot_lists=self._slot_lists(question), language="en",
                           skip_words=SKIP_WORDS)
        if r is None:
            if question is not None and question.kind is Kind.NUMBER and re.fullmatch(
                    r"(?:\D*\s)?-?\d+(?:\s\D*)?", norm):
                return Interpretation(out_of_range=True)
            return None
        name = r.intent.name
        if name.startswith("command_"):
            return Interpretation(command=name.removeprefix("command_"))
        if name == "wake":
            return Interpretation(wake=True)
        if name == "answer_yes":
            return Interpretation(answer="yes")
        if name == "answer_no":
            return Interpretation(answer="no")
        if name == "answer_unsure":
            return Interpretation(answer="unsure")
        if question is None:
            return None
        if name == "answer_number":
            value = int(round(float(r.entities["value"].value)))
            if question.minimum is not None and value < question.minimum or (
                    question.maximum is not None and value > question.maximum):
                return Interpretation(out_of_range=True)
            return Interpretation(answer=value)
        if name.startswith("duration_") and question.kind is Kind.CHOICE:
            if "count" not in r.entities and name in ("duration_days", "duration_weeks",
                                                      "duration_months", "duration_years"):
                r.entities["count"] = _Count(1)
            if name in DIRECT_CHOICES:
                index = DIRECT_CHOICES.index(name)
                return Interpretation(answer=question.choices[min(index, len(question.choices) - 1)].id)
            unit = name.removeprefix("duration_")
            days = float(r.entities["count"].value) * DAYS_PER[unit] + self._qualified(norm)
            for choice in question.choices:
                if choice.max_days is None or days <= choice.max_days:
                    return Interpretation(answer=choice.id)
        return None

    def _qualified(self, norm: str) -> float:
        """Days a qualifier adds to the duration said ("less than a week": -1, "over six weeks": +1)."""
        qualifiers = self.natural.words.durations.qualifiers
        said = f" {norm} "
        longest_first = sorted(qualifiers, key=len, reverse=True)
        return next((qualifiers[q] for q in longest_first if f" {q} " in said), 0.0)


__all__ = ["Grammar", "Interpretation", "TextSlotList"]
