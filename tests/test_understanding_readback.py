"""The read-back's "Which answer do you want to change?", answered in a person's own words, through
the real session on the shipped content: a partial or paraphrased label names the right answer, an
answer that names none is a `nomatch`, and no placeholder is ever spoken unfilled."""

from __future__ import annotations

import io
import json

import pytest
from helpers import of

from voice.app.text_io import ScriptedListener, TranscriptSpeaker
from voice.dialog.events import Events
from voice.dialog.session import Session, SessionSettings
from voice.triage.model import Choice, Kind, Question

SAYS = {"age": "30", "duration": "three weeks", "pain_below_knee": "yes", "pain_score": "3"}
"""A person with sciatica who says no to every warning sign."""


def run_readback(content, grammar, which: list[str], first_reply: str = "no"):
    """The person says `first_reply` at the read-back, then each line of `which` in turn to "which
    answer do you want to change?"; the question named is answered as before, and the read-back then
    accepted."""
    state = {"confirms": 0, "which": iter(which)}

    def answer(expect):
        if expect.question == "readback_confirm":
            state["confirms"] += 1
            return first_reply if state["confirms"] == 1 else "yes"
        if expect.question == "readback_which":
            return next(state["which"], "nothing")
        return SAYS.get(expect.question, "no")

    out = io.StringIO()
    Session(content, grammar, ScriptedListener(answer=answer), TranscriptSpeaker(None), Events(out),
            settings=SessionSettings(walkaway_after=10**6)).run()
    return [json.loads(line) for line in out.getvalue().splitlines()]


def asked_after_which(events):
    questions = [e["question"] for e in of(events, "ask")]
    return questions[questions.index("readback_which") + 1]


@pytest.mark.parametrize("said, question", [
    ("the age one", "age"),
    ("my age", "age"),
    ("how old I am", "age"),
    ("the pain score", "pain_score"),
    ("um the score out of ten", "pain_score"),
    ("how long it's been", "duration"),
    ("how long I've had it", "duration"),
    ("the knee one", "pain_below_knee"),
    ("the bit about the numbness down below", "ces_screen"),
    ("the warning signs about peeing", "ces_screen"),
    ("the one about a fall", "danger_screen"),
    ("the cancer one", "general_screen"),
    ("pain score please", "pain_score"),
], ids=lambda v: v)
def test_a_partial_or_paraphrased_label_names_the_answer(shipped, grammar, said, question):
    events = run_readback(shipped, grammar, [said])
    assert asked_after_which(events) == question
    assert not of(events, "nomatch")
    assert of(events, "outcome")[0]["disposition"] in ("self_care", "soon")


def test_an_ordinal_names_the_answer_by_its_place(shipped, grammar):
    events = run_readback(shipped, grammar, ["the first one"])
    (which,) = [e for e in of(events, "ask") if e["question"] == "readback_which"]
    assert asked_after_which(events) == which["choices"][0]
    events = run_readback(shipped, grammar, ["the last one"])
    (which,) = [e for e in of(events, "ask") if e["question"] == "readback_which"]
    assert asked_after_which(events) == which["choices"][-1]


def test_an_answer_shared_by_two_labels_is_asked_again(shipped, grammar):
    # "the pain": the pain score and pain below the knee were both read back.
    events = run_readback(shipped, grammar, ["the pain", "the pain score"])
    assert [e["question"] for e in of(events, "nomatch")] == ["readback_which"]
    assert asked_after_which(events) == "pain_score"


@pytest.mark.parametrize("said", ["banana", "yes", "not sure", "42"])
def test_an_answer_naming_no_label_is_a_nomatch_and_every_placeholder_is_filled(shipped, grammar, said):
    events = run_readback(shipped, grammar, [said, said, said])
    nomatches = [e for e in of(events, "nomatch") if e["question"] == "readback_which"]
    assert [e["count"] for e in nomatches] == [1, 2, 3]
    assert any("keep your answers" in e["text"] for e in of(events, "say"))
    spoken = [e["text"] for e in of(events, "say")] + [e["text"] for e in of(events, "ask")]
    assert not [t for t in spoken if "{" in t or "}" in t]
    # The rephrased question names the answers that can be changed.
    retry = [t for t in spoken if "Which answer" in t][1]
    assert "Your age" in retry and "Pain score" in retry


def test_help_at_the_read_back_names_the_answers(shipped, grammar):
    events = run_readback(shipped, grammar, ["what do you mean", "the age"])
    spoken = [e["text"] for e in of(events, "say")]
    assert not [t for t in spoken if "{choices}" in t]
    assert asked_after_which(events) == "age"


def test_a_plain_no_in_own_words_keeps_the_answers(shipped, grammar):
    events = run_readback(shipped, grammar, ["no it's all fine actually"])
    assert any("keep your answers" in e["text"] for e in of(events, "say"))
    assert not of(events, "nomatch")


def test_the_spoken_labels_name_shipped_questions_and_are_listened_for(shipped, grammar):
    named = grammar.natural.words.labels.questions
    assert set(named) <= set(shipped.questions)
    ids = ("age", "duration", "pain_score", "ces_screen")
    choices = tuple(Choice(i, shipped.questions[i].readback) for i in ids)
    which = Question("readback_which", Kind.CHOICE, (), "", "", "", "", "", choices=choices)
    assert {"pain score", "how long", "your age"} <= set(grammar.expectation(which).phrases)


@pytest.mark.parametrize("reply, changes", [
    ("one of them is wrong", True), ("you got the age wrong", True), ("not quite", True),
    ("all good", False), ("that's all fine", False), ("spot on", False), ("sounds about right", False),
], ids=lambda v: str(v))
def test_the_read_back_is_answered_in_own_words(shipped, grammar, reply, changes):
    """"All good" keeps the answers (said of a symptom it is a no, so it was read as "change one");
    "one of them is wrong" goes on to change one (it was read as yes and the answers kept)."""
    events = run_readback(shipped, grammar, ["my age"], first_reply=reply)
    heard = [e for e in of(events, "heard") if e["question"] == "readback_confirm"]
    assert heard[0]["answer"] == ("no" if changes else "yes"), heard[0]
    asked = [e["question"] for e in of(events, "ask")]
    assert ("readback_which" in asked) is changes, asked
    assert of(events, "outcome"), "the session ends with its advice"
