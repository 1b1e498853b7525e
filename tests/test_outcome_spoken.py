"""The outcome built for the ear: what is said at once is short and complete, the rest is offered.

Said at once (the `outcome` event's `first`): the one action, the most likely cause with its
reason, and the one thing that would make it an emergency, within about 60 words. Then "Would you
like some things that may help at home?": a yes says the rest, a no, silence, stop or the end of
input ends politely. An emergency says only what to do now and until help comes. Checked on every
test patient of tests/vignettes/ and, for the offer turn, on the small fixture content.
"""

from __future__ import annotations

import pytest
from helpers import of
from helpers import run_session as run_typed
from test_outcome import SHIPPED, UK, contradictions

from bench.evaluation.vignettes import DEFAULT_VIGNETTE_DIR, load_vignettes
from voice.app.summary import summarize
from voice.dialog import advice
from voice.dialog.sentences import Sentences
from voice.dialog.states import State
from voice.triage.engine import Triage
from voice.triage.model import Disposition

FIRST_WORDS = 65
"""Most words said before the offer ("about 60": the longest test patient's is 63)."""
HOME_TIPS = ("Things that may help", "stretch", "Keep moving", "book", "appointment", "physiotherapist")
"""Words of home care and later care that an emergency never says."""
VIGNETTES = load_vignettes(DEFAULT_VIGNETTE_DIR)


@pytest.fixture(scope="module")
def results(typed_sessions):
    results = typed_sessions.all(VIGNETTES)
    return {v.id: (v, r) for v, r in zip(VIGNETTES, results, strict=True)}


@pytest.mark.slow
def test_what_is_said_first_is_short_and_names_the_action_the_cause_and_the_emergency_sign(results):
    emergency_if = SHIPPED.say("emergency_if").format(emergency_number=UK.emergency_number).split(",")[0]
    unsure = SHIPPED.say("outcome_unsure_emergency").split(",")[0]
    for vid, (_, result) in results.items():
        first = result.outcome_first
        assert first and result.outcome_text.startswith(first), vid
        assert len(first.split()) <= FIRST_WORDS, f"{vid}: {len(first.split())} words: {first}"
        if result.causes:
            assert "Most likely, this is" in first, vid
        if result.disposition != "emergency":
            assert emergency_if in first or unsure in first, vid
        assert not contradictions(Disposition(result.disposition), first), vid


@pytest.mark.slow
def test_an_emergency_says_only_what_to_do_now_and_offers_nothing(results):
    emergencies = [(vid, r) for vid, (_, r) in results.items() if r.disposition == "emergency"]
    assert len(emergencies) >= 10
    for vid, result in emergencies:
        said = result.outcome_first.lower()
        assert not [w for w in HOME_TIPS if w.lower() in said], f"{vid}: {result.outcome_first}"
        assert State.MORE.value not in [t.get("question") for t in result.turns], vid


@pytest.mark.slow
def test_every_patient_who_is_offered_more_declines_and_the_session_completes(results):
    """The simulated patient answers the offer "no" (bench/evaluation/patient.py)."""
    for vid, (_, result) in results.items():
        assert result.end_reason == "complete", f"{vid}: {result.end_reason}"


def _mini_lines(after: list[str | None]) -> list[str | None]:
    """A patient of the fixture content who ends at soon (pain below the knee, three weeks), then `after`."""
    return ["no", "no", "35", "yes", "3 weeks", "yes", *after]


@pytest.mark.parametrize("reply, hears_more", [
    ("yes", True), ("yes please", True), ("no", False), ("no thanks", False), (None, False), ("stop", False),
], ids=["yes", "yes_please", "no", "no_thanks", "silence", "stop"])
def test_the_offer_says_the_rest_only_on_a_yes(mini, grammar, reply, hears_more):
    events, session = run_typed(mini, grammar, _mini_lines([reply]))
    (outcome,) = of(events, "outcome")
    assert outcome["text"] == " ".join(p for p in (outcome["first"], outcome["more"],
                                                   mini.say("not_diagnosis")) if p)
    offers = [e for e in of(events, "ask") if e["question"] == State.MORE.value]
    assert len(offers) == 1 and offers[0]["kind"] == "yes_no"
    said = " ".join(e["text"] for e in of(events, "say"))
    tail = said.split(mini.say("offer_more"), 1)[1]
    assert (outcome["more"] in tail) is hears_more
    assert (mini.say("more_declined") in tail) is not hears_more
    assert tail.rstrip().endswith(mini.say("goodbye"))
    assert of(events, "end")[-1]["reason"] == "complete"
    # Everything, the declined part too, is in the clinician summary.
    assert outcome["more"] in summarize(session, "complete").text()


def test_the_end_of_input_at_the_offer_ends_politely(mini, grammar):
    events, _ = run_typed(mini, grammar, _mini_lines([]))
    assert of(events, "end")[-1]["reason"] == "complete"
    assert mini.say("more_declined") in of(events, "say")[-3]["text"] + of(events, "say")[-2]["text"]


def test_words_that_do_not_answer_the_offer_are_asked_once_more(mini, grammar):
    events, _ = run_typed(mini, grammar, _mini_lines(["purple", "yes"]))
    (outcome,) = of(events, "outcome")
    assert [e["question"] for e in of(events, "nomatch")] == [State.MORE.value]
    assert outcome["more"] in " ".join(e["text"] for e in of(events, "say"))


def _spoken(**answers) -> advice.Spoken:
    triage = Triage(SHIPPED)
    triage.answers.values.update(answers)
    outcome = triage.outcome()
    return advice.spoken(Sentences(SHIPPED, UK), outcome, triage.answers)


def test_the_safety_net_never_tells_someone_to_look_out_for_what_they_already_have():
    with_fever = _spoken(fever="yes", age=40, pain_below_knee="yes")
    assert with_fever.text and "if you get a fever" not in with_fever.text
    child = _spoken(age=10, pain_below_knee="yes", leg_numbness="yes", worse_cough_sneeze="yes")
    assert "weakness in both legs" in child.text and "erections" not in child.text
    adult = _spoken(age=40, pain_below_knee="yes", leg_numbness="yes", worse_cough_sneeze="yes")
    assert "erections" in adult.text and "if you get a fever" in adult.text


def test_the_safety_net_keeps_to_the_levels_of_the_rules():
    """A weak leg getting weaker is an emergency rule, so no safety-net sends it to the urgent line."""
    worse = next(r for r in SHIPPED.red_flags if r.id == "weakness_getting_worse")
    assert worse.level is Disposition.EMERGENCY
    for level, text in SHIPPED.dispositions.items():
        for line in text.safety_net:
            if "weak" in line.say and "{urgent_line}" in line.say:
                assert "weaker" not in line.say, (level, line.say)


def test_a_child_is_never_asked_about_injecting_drugs_or_erections():
    child = _spoken(age=8, fever="yes", pain_below_knee="no")
    assert child.text and "inject drugs" not in child.text and "erections" not in child.text
    adult = _spoken(age=30, fever="yes", pain_below_knee="no")
    assert "inject drugs" in adult.text
