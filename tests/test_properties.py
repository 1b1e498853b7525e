"""Property-based tests over random answer sequences on the shipped content."""

from __future__ import annotations

import io
import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from voice.errors import EndOfInput
from voice.events import Events
from voice.session import Session, SessionSettings
from voice.text_io import ScriptedListener, TranscriptSpeaker

CES = {"saddle_numbness", "bladder_problem", "bowel_problem", "sexual_dysfunction"}
ANSWERS = ["yes", "no", "not sure", "yeah", "nope", "I don't know", "banana", "67", "seven", "3 weeks",
           "a few days", "ages", "eight out of ten", "2", ""]
COMMANDS = ["repeat", "help", "go back", "start again", "slower", "louder", "what"]
SETTINGS = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


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
        if question is not None and any(set(question.findings) & r.when.findings() for r in shipped.red_flags):
            return "not sure"
        return data.draw(st.sampled_from(ANSWERS)) or None

    events, _, _ = _run(shipped, grammar, answer)
    (outcome,) = [e for e in events if e["event"] == "outcome"]
    assert outcome["disposition"] in ("urgent", "emergency")
