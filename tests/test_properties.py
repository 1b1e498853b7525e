"""Property-based tests over random answer sequences on the shipped content."""

from __future__ import annotations

import io
import json

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from bench.evaluation.patient import load_phrasings
from voice.app.text_io import ScriptedListener, TranscriptSpeaker
from voice.dialog.events import Events
from voice.dialog.session import Session, SessionSettings
from voice.errors import EndOfInput
from voice.triage.conditions import All, AnyOf, ChoiceTest, Fact, Not, NumberTest
from voice.triage.loader import load_content
from voice.triage.model import Disposition, Kind

CES = {"saddle_numbness", "bladder_problem", "bowel_problem", "sexual_dysfunction"}
ANSWERS = ["yes", "no", "not sure", "yeah", "nope", "I don't know", "banana", "67", "seven", "3 weeks",
           "a few days", "ages", "eight out of ten", "2", ""]
COMMANDS = ["repeat", "help", "go back", "start again", "slower", "louder", "what"]
SETTINGS = settings(max_examples=120, deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture])


def _run(content, grammar, answer, session_settings=None):
    out = io.StringIO()
    session = Session(content, grammar, ScriptedListener(answer=answer), TranscriptSpeaker(None), Events(out),
                      settings=session_settings or SessionSettings(walkaway_after=10**6))
    reason = session.run()
    return [json.loads(line) for line in out.getvalue().splitlines()], session, reason


def _bound(content) -> int:
    # every node and the read-back (twice, with a correction each time), each at most max_tries turns
    return 3 * (len(content.tree.nodes) + 8)


@SETTINGS
@given(data=st.data())
def test_random_answers_always_reach_an_outcome_in_bounded_turns(shipped, grammar, data):
    turns = []

    def answer(expect):
        turns.append(expect.question)
        if len(turns) > 2 * _bound(shipped):
            raise EndOfInput()
        text = data.draw(st.sampled_from(ANSWERS))
        return text or None

    events, session, reason = _run(shipped, grammar, answer)
    assert reason == "complete", f"ended {reason} after {len(turns)} turns"
    assert sum(e["event"] == "outcome" for e in events) == 1
    assert len(turns) <= _bound(shipped)
    assert events[-1]["event"] == "end"


@SETTINGS
@given(data=st.data())
def test_any_cauda_equina_yes_gives_emergency(shipped, grammar, data):
    # A patient with one cauda equina sign, answering everything else at random.
    sign = data.draw(st.sampled_from(sorted(CES)))

    def answer(expect):
        question = shipped.questions.get(expect.question)
        if question is not None and sign in question.findings:
            return data.draw(st.sampled_from(["yes", "yeah", "yes I do", "I think so"]))
        if expect.question == "age" and sign in ADULT_ONLY:
            return data.draw(st.sampled_from(["16", "34", "67"]))  # never asked of a child
        return data.draw(st.sampled_from(ANSWERS)) or None

    events, session, reason = _run(shipped, grammar, answer)
    (outcome,) = [e for e in events if e["event"] == "outcome"]
    answered_yes = session.triage.answers.values.get(sign) == "yes" or any(
        sign in g for g in session.triage.answers.any_yes)
    assert answered_yes, "the cauda equina sign was never asked about"
    assert outcome["disposition"] == "emergency"
    assert sign in outcome["red_flags"]


@SETTINGS
@given(script=st.lists(st.sampled_from(ANSWERS + COMMANDS), max_size=80))
def test_nothing_crashes_with_commands_and_the_session_ends_cleanly(shipped, grammar, script):
    lines = [line or None for line in script]
    out = io.StringIO()
    session = Session(shipped, grammar, ScriptedListener(lines), TranscriptSpeaker(None), Events(out))
    reason = session.run()
    events = [json.loads(line) for line in out.getvalue().splitlines()]
    assert events[-1] == {**events[-1], "event": "end", "reason": reason}
    assert reason in ("complete", "stopped", "timeout")
    if reason == "complete":
        assert sum(e["event"] == "outcome" for e in events) == 1


@SETTINGS
@given(data=st.data())
def test_unsure_to_a_red_flag_is_never_read_as_no(shipped, grammar, data):
    # Answering "not sure" to every question that screens for a red flag keeps the advice at least urgent.
    def answer(expect):
        question = shipped.questions.get(expect.question)
        if question is not None and any(set(question.findings) & r.when.findings()
                                        for r in shipped.red_flags):
            return "not sure"
        return data.draw(st.sampled_from(ANSWERS)) or None

    events, _, _ = _run(shipped, grammar, answer)
    (outcome,) = [e for e in events if e["event"] == "outcome"]
    assert outcome["disposition"] in ("urgent", "emergency")


# ---------------------------------------------------------------- every red flag, whatever else is said

RED_FLAGS = load_content().red_flags
YES_WORDS = ["yes", "yeah", "yes I do", "I think so", "yes it has"]
NAMED = load_phrasings()["named"]
"""A yes to an "any of these?" list that names one of its signs ("yes, I had a fall"): the sign is
taken, and the others are asked together (voice/triage/regroup.py)."""
NO_WORDS = ["no", "nope", "no I don't", "not really"]


def _witness(condition, draw) -> dict[str, object]:
    """Answers that make `condition` true: a finding yes, a negated finding no, a number or choice in
    range; for `any`, one part drawn at random."""
    if isinstance(condition, Fact):
        return {condition.finding: "yes"}
    if isinstance(condition, Not) and isinstance(condition.part, Fact):
        return {condition.part.finding: "no"}
    if isinstance(condition, All):
        result: dict[str, object] = {}
        for part in condition.parts:
            result.update(_witness(part, draw))
        return result
    if isinstance(condition, AnyOf):
        return _witness(draw(st.sampled_from(condition.parts)), draw)
    if isinstance(condition, NumberTest):
        low = int(condition.at_least) if condition.at_least is not None else 0
        high = int(condition.below) - 1 if condition.below is not None else low + 30
        return {condition.finding: draw(st.integers(low, max(low, high)))}
    if isinstance(condition, ChoiceTest):
        return {condition.finding: draw(st.sampled_from(condition.values))}
    raise AssertionError(f"no witness for {condition!r}")


IMPLIES = {"both_legs_weak": "leg_weakness"}
"""A person with the first would also say yes to the second."""


def _screened(*nodes: str) -> set[str]:
    content = load_content()
    return {f for node in nodes for f in content.questions[content.tree.nodes[node].ask].findings}


SCREENED_FOR_EVERYONE = (_screened("weakness", "danger") | (_screened("ces") & _screened("ces_child"))
                         | (_screened("general") & _screened("general_child")))
"""Asked of everyone, adult or child, at the start."""
AGE_BANDS = (4, 9, 13, 30, 45, 55, 70, 85)
"""One age from each band where the questions differ: a child (under 10, 10 to 15), an adult, 50 and
over, 65 and over."""
ADULT_ONLY = {"sexual_dysfunction", "recent_spinal_procedure", "fragile_bones"}
"""Never asked of a child (under 16): a parent may be answering."""
PREGNANCY = {"pregnant", "pregnancy_warning", "pregnancy_emergency", "pelvic_girdle", "recent_birth"}
"""Asked from 12 to 55."""


def _ages_for(findings: set[str]) -> tuple[int, ...]:
    """The age bands in which every one of these findings can be asked."""
    ages = AGE_BANDS
    if findings & ADULT_ONLY:
        ages = tuple(a for a in ages if a >= 16)
    if findings & PREGNANCY:
        ages = tuple(a for a in ages if 12 <= a <= 55)
    return ages
BACKGROUND = ["no"] * 12 + ANSWERS + ["go back", "repeat"]
CHOICE_WORDS = {"less_than_week": "three days", "one_to_six_weeks": "two weeks",
                "more_than_six_weeks": "four months"}


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_every_red_flag_answered_yes_ends_at_its_level_or_higher(shipped, grammar, data):
    """For every red flag: a person whose answers make it true (yes to its signs, any numbers it
    needs), at any age band where its signs are asked, whatever else they say (yes, no, not sure,
    nonsense, go back, a change at the read-back), ends at the flag's level or higher."""
    rule = data.draw(st.sampled_from(RED_FLAGS), label="red flag")
    witness = _witness(rule.when, data.draw)
    if "age" not in witness:
        witness["age"] = data.draw(st.sampled_from(_ages_for(set(witness))), label="age")
    for finding, implied in IMPLIES.items():
        if witness.get(finding) == "yes":
            witness.setdefault(implied, "yes")
    turns = []

    def answer(expect):
        turns.append(expect.question)
        if len(turns) > 2 * _bound(shipped):
            raise EndOfInput()
        question = shipped.questions.get(expect.question)
        if question is not None and question.findings:
            said = [witness[f] for f in question.findings if f in witness]
            if question.kind is Kind.YES_NO and "yes" in said:
                named = [p for f in question.findings if witness.get(f) == "yes" for p in NAMED.get(f, ())]
                if len(question.findings) > 1 and named and data.draw(st.booleans(), label="named"):
                    return data.draw(st.sampled_from(named))
                return data.draw(st.sampled_from(YES_WORDS))
            if question.kind is Kind.YES_NO and said and len(said) == len(question.findings):
                return data.draw(st.sampled_from(NO_WORDS))
            if question.kind is Kind.NUMBER and said:
                return str(said[0])
            if question.kind is Kind.CHOICE and said:
                return CHOICE_WORDS[str(said[0])]
        # Mostly no, so that the red flag is not simply outranked by another one said at random.
        return data.draw(st.sampled_from(BACKGROUND)) or None

    events, session, reason = _run(shipped, grammar, answer)
    assert reason == "complete"
    (outcome,) = [e for e in events if e["event"] == "outcome"]
    fired = rule.when.evaluate(session.triage.answers) is True
    event(f"{rule.id} held" if fired else f"{rule.id} not reached")
    got = Disposition(outcome["disposition"])
    context = f"{rule.id} (held: {fired}): advice {got.value}; witness {witness}; asked {turns}"
    if fired or rule.when.findings() - {"age"} <= SCREENED_FOR_EVERYONE:
        # Asked of everyone at the start: it cannot be missed, whatever else was said.
        assert got.rank >= rule.level.rank, context
    else:
        # Asked on some branches only: when the dialog went another way, nothing was said yes to it.
        answers = session.triage.answers.values
        assert any(answers.get(f) != witness[f] for f in witness if f in rule.when.findings()), context
