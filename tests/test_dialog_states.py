"""The dialog layer's own tables and records: the state graph, the step rules, the event records
and the one way sentences are filled."""

from __future__ import annotations

import io
import json

import pytest

from voice.dialog.events import (
    Alert,
    Ask,
    Device,
    Events,
    Heard,
    Idle,
    KioskError,
    Outcome,
    Record,
    Reset,
    Start,
    Summary,
)
from voice.dialog.sentences import Sentences, fill, join_or
from voice.dialog.states import STEPS, TRANSITIONS, DialogError, State, Tracker, check_transitions, state_of
from voice.triage.engine import READBACK_CONFIRM, READBACK_WHICH
from voice.understanding.yes_no import CHECK


def test_the_shipped_transition_table_is_whole():
    check_transitions(TRANSITIONS)
    assert set(TRANSITIONS) == set(State)


@pytest.mark.parametrize("broken, match", [
    ({s: t for s, t in TRANSITIONS.items() if s is not State.HELP_NOW}, "without transitions"),
    ({**TRANSITIONS, State.STILL_THERE: frozenset({State.STILL_THERE})}, "never reach the end"),
    ({s: t - {State.STILL_THERE} for s, t in TRANSITIONS.items()}, "reaches from start"),
    ({**TRANSITIONS, State.OUTCOME: frozenset({State.MORE}), State.MORE: frozenset({State.OUTCOME})},
     "never reach the end"),
    ({**TRANSITIONS, State.END: frozenset({State.START})}, "never reach the end"),
], ids=["missing state", "still there traps", "unreachable", "outcome dead end", "end leads on"])
def test_a_broken_transition_table_is_refused(broken, match):
    with pytest.raises(DialogError, match=match):
        check_transitions(broken)


def test_the_tracker_refuses_a_move_the_table_does_not_list():
    tracker = Tracker()
    tracker.enter(State.QUESTION)
    with tracker.visit(State.CONFIRM):
        assert tracker.state is State.CONFIRM
    assert tracker.state is State.QUESTION
    with pytest.raises(DialogError, match="cannot go from question to start"):
        tracker.enter(State.START)
    tracker.enter(State.OUTCOME)
    with pytest.raises(DialogError, match="outcome to confirm"):
        tracker.enter(State.CONFIRM)


def test_asking_states_are_the_protocol_question_ids():
    assert State.CONFIRM == CHECK and State.READBACK_CONFIRM == READBACK_CONFIRM
    assert State.READBACK_WHICH == READBACK_WHICH
    assert {State.STILL_THERE.value, State.NUMBER_AT_LEAST.value} == {"still_there", "number_at_least"}
    assert state_of(READBACK_CONFIRM) is State.READBACK_CONFIRM and state_of("age") is State.QUESTION
    # Every state that records an answer is one the engine or the number ladder asks.
    assert set(STEPS) == {State.QUESTION, State.READBACK_CONFIRM, State.READBACK_WHICH,
                          State.NUMBER_AT_LEAST}


def test_a_heard_record_keeps_its_speech_end_out_of_the_stream():
    out = io.StringIO()
    events = Events(out, clock=lambda: 0.0)
    heard = Heard("age", "forty", 40, None, 0.9, speech_end=10.0)
    assert heard.replied(None) is heard
    heard.replied(10.25).send(events)
    written = json.loads(out.getvalue())
    assert list(written) == ["event", "t", "question", "text", "answer", "command", "confidence",
                             "latency_ms"]
    assert written["latency_ms"] == 250 and "speech_end" not in out.getvalue()


@pytest.mark.parametrize("record, keys", [
    (Ask("age", ["age"], "number", [], "How old are you?"),
     ["question", "findings", "kind", "choices", "text"]),
    (Ask("number_at_least", [], "yes_no", [], "Is it 50 or more?", of="age", at_least=50),
     ["question", "findings", "kind", "choices", "text", "of", "at_least"]),
    (Outcome("urgent", [], [], "Go.", questions=3, first="Go.", more=""),
     ["disposition", "red_flags", "causes", "text", "questions", "first", "more"]),
    (Outcome("emergency", [], [], "Call.", because_of="help_now", questions=0),
     ["disposition", "red_flags", "causes", "text", "because_of", "questions", "first", "more"]),
    (Device("lost", "unplugged"), ["status", "message"]),
    (Device("back"), ["status"]),
    (Start("0.1.0", "text", "en", None, "uk"), ["version", "engine", "language", "model", "region"]),
    (Start("0.1.0", "text", "en", None, "uk", kiosk=True),
     ["version", "engine", "language", "model", "region", "kiosk"]),
    (Heard("wake", "hello", None, None, 0.8, wake=True),
     ["question", "text", "answer", "command", "confidence", "latency_ms", "wake"]),
    (Idle(0, 0, "Say hello to start."), ["served", "walked_away", "text"]),
    (Alert("sent", "Staff are coming."), ["status", "text"]),
    (Alert("failed", "Tell the staff.", "exit 1"), ["status", "text", "message"]),
    (Summary([], [], None, "complete", ""), ["answers", "red_flags", "disposition", "reason", "text"]),
    (KioskError("the microphone is gone"), ["message"]),
    (Reset("complete"), ["reason"]),
], ids=["ask", "number at least", "outcome", "help now", "device lost", "device back", "start",
        "kiosk start", "wake heard", "idle", "alert sent", "alert failed", "summary", "kiosk error", "reset"])
def test_records_write_their_fields_in_protocol_order(record: Record, keys):
    assert list(record.fields()) == keys


def test_sentences_fill_placeholders_and_join_choices(mini):
    region = mini.regions[mini.default_region]
    filled = fill("Call {emergency_number}, {x}, {kept}", region, x=1)
    assert filled == f"Call {region.emergency_number}, 1, {{kept}}"
    assert join_or(["a", "b", "c"], "or") == "a, b or c"
    assert join_or(["a"], "or") == "a" and join_or([], "or") == ""
    sentences = Sentences(mini, region)
    choice = next(q for q in mini.questions.values() if q.choices)
    assert sentences.choices(choice) == join_or([c.label for c in choice.choices], mini.say("or_word"))
