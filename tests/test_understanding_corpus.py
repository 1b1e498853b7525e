"""Natural answers, typed or transcribed, understood as a person would: the corpus of
tests/data/understanding/corpus.yaml (written before the grammar was read), its probes and
leftovers (leftovers.yaml, also written before the grammar was read), verdicts said at the end
(verdicts.yaml, written before the grammar was changed for them), a held-out set that the
understanding was not tuned on, and a second one written by a colleague who had not read the grammar
(held_out_2.yaml and held_out_3.yaml, tricky answers to the red-flag screens: their headers give the
figures before the grammar was changed once for what they showed), one as a recognizer writes
answers (held_out_4.yaml), red-flag answers written after all those changes (held_out_5.yaml) and
replies to the checks of what was heard (held_out_6.yaml), and ages, pain scores and durations
(held_out_7.yaml), and requests such as an emergency in people's own words (held_out_8.yaml, then
emergencies only in held_out_9.yaml); held_out_10.yaml, twelve different people; held_out_11.yaml, the
questions no set had covered (the cauda equina signs one at a time, children, clots, a long lie)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest

from voice.dialog.states import State, dialog_question
from voice.triage.engine import READBACK_CONFIRM, Triage
from voice.triage.loader import load_content
from voice.triage.model import Kind, Question
from voice.understanding import Grammar, Interpretation
from voice.understanding.grammar import COMMANDS
from voice.understanding.yes_no import CHECK
from voice.yamlio import load_yaml_file

DATA = Path(__file__).parent / "data" / "understanding"
COMMAND_QUESTIONS = ("ces_screen", "age", "duration")
"""Commands are tried on a red-flag yes/no question, a number question and the duration question."""


@dataclass(frozen=True)
class Case:
    question: str
    text: str
    expected: object
    """"yes", "no", "unsure", a number, a choice id, "command:NAME" or "out_of_range"."""

    @property
    def id(self) -> str:
        return f"{self.question}:{self.text}"


def load_cases(name: str) -> tuple[date, list[Case]]:
    data = load_yaml_file(DATA / name)
    today = date.fromisoformat(str(data["today"]))
    cases = []
    for question, by_meaning in data["answers"].items():
        for meaning, texts in by_meaning.items():
            meaning = int(meaning) if str(meaning).isdigit() else meaning
            plain = isinstance(meaning, int) or meaning in ("yes", "no", "unsure", "out_of_range")
            expected = meaning if plain else (f"command:{meaning}" if meaning in COMMANDS else meaning)
            cases += [Case(question, text, expected) for text in texts]
    for question, by_meaning in (data.get("transcribed") or {}).items():
        cases += [Case(question, text, meaning) for meaning, texts in by_meaning.items() for text in texts]
    for command, texts in (data.get("commands") or {}).items():
        assert command in COMMANDS, command
        cases += [Case(q, text, f"command:{command}") for text in texts for q in COMMAND_QUESTIONS]
    return today, cases


def meaning(interpretation: Interpretation | None) -> object:
    """An Interpretation in the corpus's terms (None when not understood)."""
    if interpretation is None:
        return None
    if interpretation.command:
        return f"command:{interpretation.command}"
    if interpretation.out_of_range:
        return "out_of_range"
    return interpretation.answer


def grammar_on(today: date) -> Grammar:
    """The shipped grammar, with durations reckoned from `today`."""
    grammar = Grammar.load()
    grammar.natural.today = lambda: today
    return grammar


CONTENT = load_content()
QUESTIONS = {**CONTENT.questions,
             CHECK: Question(CHECK, Kind.YES_NO, (), "I heard 8. Is that right?", "", "", "", ""),
             READBACK_CONFIRM: Question(READBACK_CONFIRM, Kind.YES_NO, (), CONTENT.say("readback_confirm"),
                                        "", "", "", ""),
             State.MORE.value: dialog_question(State.MORE, CONTENT.say("offer_more"))}
"""The content's questions, the session's check of what it heard and the read-back's question, built
as voice/dialog/session.py and the triage engine build them."""
TODAY, CASES = load_cases("corpus.yaml")
_PROBE_TODAY, PROBES = load_cases("probes.yaml")
assert _PROBE_TODAY == TODAY
CASES += PROBES
_LEFTOVER_TODAY, LEFTOVERS = load_cases("leftovers.yaml")
assert _LEFTOVER_TODAY == TODAY
CASES += LEFTOVERS
_VERDICT_TODAY, VERDICTS = load_cases("verdicts.yaml")
assert _VERDICT_TODAY == TODAY
CASES += VERDICTS
_CHECK_TODAY, CHECK_REPLIES = load_cases("confirmations.yaml")
assert _CHECK_TODAY == TODAY
CASES += CHECK_REPLIES
HELD_TODAY, HELD_OUT = load_cases("held_out.yaml")
_HELD_2_TODAY, HELD_OUT_2 = load_cases("held_out_2.yaml")
_HELD_3_TODAY, HELD_OUT_3 = load_cases("held_out_3.yaml")
_HELD_4_TODAY, HELD_OUT_4 = load_cases("held_out_4.yaml")
_HELD_5_TODAY, HELD_OUT_5 = load_cases("held_out_5.yaml")
_HELD_6_TODAY, HELD_OUT_6 = load_cases("held_out_6.yaml")
_HELD_7_TODAY, HELD_OUT_7 = load_cases("held_out_7.yaml")
_HELD_8_TODAY, HELD_OUT_8 = load_cases("held_out_8.yaml")
_HELD_9_TODAY, HELD_OUT_9 = load_cases("held_out_9.yaml")
_HELD_10_TODAY, HELD_OUT_10 = load_cases("held_out_10.yaml")
_HELD_11_TODAY, HELD_OUT_11 = load_cases("held_out_11.yaml")
assert len({HELD_TODAY, _HELD_2_TODAY, _HELD_3_TODAY, _HELD_4_TODAY, _HELD_5_TODAY, _HELD_6_TODAY,
            _HELD_7_TODAY, _HELD_8_TODAY, _HELD_9_TODAY, _HELD_10_TODAY, _HELD_11_TODAY}) == 1
HELD_SETS = {
    "held_out": HELD_OUT, "held_out_2": HELD_OUT_2, "held_out_3": HELD_OUT_3, "held_out_4": HELD_OUT_4,
    "held_out_5": HELD_OUT_5, "held_out_6": HELD_OUT_6, "held_out_7": HELD_OUT_7, "held_out_8": HELD_OUT_8,
    "held_out_9": HELD_OUT_9, "held_out_10": HELD_OUT_10, "held_out_11": HELD_OUT_11,
}
"""The sets written by people who had not read the grammar; each file's header says how it was used."""
KNOWN_NO_AS_YES = {"held_out_3": 1}
"""Red-flag noes still read as yes, which is over-triage, never under: in held_out_3 weight lost on a
diet said in a clause of its own ("I have lost weight but I'm doing Slimming World")."""


@pytest.fixture(scope="module")
def natural_grammar():
    return grammar_on(TODAY)


def _red_flag(question_id: str) -> bool:
    return Triage(CONTENT).is_red_flag_question(QUESTIONS[question_id])


def test_the_corpus_is_large_and_covers_every_kind_of_question():
    assert len({(c.question, c.text) for c in CASES}) >= 400
    kinds = {QUESTIONS[c.question].kind.value for c in CASES}
    assert kinds == {"yes_no", "number", "choice"}
    assert sum(_red_flag(c.question) and c.expected in ("yes", "no") for c in CASES) >= 150
    assert {c.expected for c in CASES if str(c.expected).startswith("command:")} >= {
        "command:help_now", "command:help", "command:repeat", "command:back", "command:stop"}
    assert all(q in CONTENT.questions for q in COMMAND_QUESTIONS)


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_natural_answer(natural_grammar, case):
    got = meaning(natural_grammar.understand(case.text, QUESTIONS[case.question]))
    assert got == case.expected, f"{case.text!r} on {case.question}: {got!r}, not {case.expected!r}"


def _flips(grammar, cases):
    """Red-flag answers read the opposite way: a yes as no, or a no as yes."""
    out = {"yes_as_no": [], "no_as_yes": []}
    for case in cases:
        if case.expected not in ("yes", "no") or not _red_flag(case.question):
            continue
        got = meaning(grammar.understand(case.text, QUESTIONS[case.question]))
        if case.expected == "yes" and got == "no":
            out["yes_as_no"].append(case.id)
        if case.expected == "no" and got == "yes":
            out["no_as_yes"].append(case.id)
    return out


@pytest.mark.parametrize("name", ["corpus", *HELD_SETS])
def test_no_red_flag_yes_is_read_as_no(name):
    cases = CASES if name == "corpus" else HELD_SETS[name]
    assert _flips(grammar_on(HELD_TODAY), cases)["yes_as_no"] == []


@pytest.mark.parametrize("name", ["corpus", *HELD_SETS])
def test_no_red_flag_no_is_read_as_yes(name):
    cases = CASES if name == "corpus" else HELD_SETS[name]
    assert len(_flips(grammar_on(HELD_TODAY), cases)["no_as_yes"]) <= KNOWN_NO_AS_YES.get(name, 0)


def test_understood_rate_and_held_out_figure(capsys):
    rates = {}
    for name, today, cases in (("corpus", TODAY, CASES), *((n, HELD_TODAY, c) for n, c in HELD_SETS.items())):
        grammar = grammar_on(today)
        right = sum(meaning(grammar.understand(c.text, QUESTIONS[c.question])) == c.expected
                    for c in cases)
        rates[name] = right / len(cases)
        with capsys.disabled():
            print(f"\n{name}: {right} of {len(cases)} natural answers understood ({100 * rates[name]:.1f}%)")
    assert rates["corpus"] >= 0.99
    # The held-out sets are not tuned on (or only once, as their headers say): this floor only catches
    # a broken reader.
    assert all(rates[name] >= 0.85 for name in HELD_SETS)
