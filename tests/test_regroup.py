"""A screen's yes that names some of its signs ("yes, I had a fall"): the signs named are taken, and
the others are asked again together instead of one by one (voice/triage/regroup.py). Driven on the
shipped content: through the engine, through the reader of answers, and through a typed session."""

from __future__ import annotations

import pytest
from helpers import of, run_session

from voice.triage.engine import READBACK_CONFIRM, Ask, Outcome, Triage
from voice.triage.model import Disposition
from voice.triage.regroup import REST

DANGER = ("fall_or_injury", "chest_pain", "sudden_severe_pain", "abdominal_pain_faint", "colicky_flank_pain",
          "tense_swollen_leg", "cold_pale_leg", "calf_swelling", "calf_tender")


def _to_danger_screen(triage: Triage) -> None:
    before = (("age", 40), ("ces_screen", "no"), ("leg_weakness", "no"), ("pregnant_or_birth", "no"))
    for qid, value in before:
        assert triage.next_step().question.id == qid
        triage.answer(qid, value)
    assert triage.next_step().question.id == "danger_screen"


def test_a_named_sign_is_taken_and_the_rest_asked_together(shipped):
    triage = Triage(shipped)
    _to_danger_screen(triage)
    triage.answer("danger_screen", "yes")
    triage.name("danger_screen", ("fall_or_injury",))
    assert triage.answers.values["fall_or_injury"] == "yes"
    rest = triage.next_step()
    assert isinstance(rest, Ask) and rest.question.id == REST
    assert rest.question.findings == DANGER[1:]
    assert "fall or injury" in rest.question.text and "A tender calf." in rest.question.text
    triage.answer(REST, "no")
    assert all(triage.answers.values[f] == "no" for f in DANGER[1:])
    # The screen's answer is now its signs' own answers: the fall read back as yes, every other sign
    # read back among the warning signs answered no.
    assert "danger_screen" not in triage.asked
    assert set(DANGER) <= set(triage.asked)
    assert [q.id for q, _ in triage.readback_items()].count("fall_or_injury") == 1
    assert {"chest_pain", "cold_pale_leg", "calf_swelling"} <= {q.id for q in triage.readback_denied()}
    # The fall's own follow-ups come next; no sign of the screen is asked again on its own.
    follow = triage.next_step().question.id
    assert follow == "major_trauma"
    while isinstance(step := triage.next_step(), Ask) and step.question.id != READBACK_CONFIRM:
        assert step.question.id not in DANGER
        value = 50 if step.question.kind.value == "number" else (
            step.question.choices[0].id if step.question.choices else "no")
        triage.answer(step.question.id, value)


@pytest.mark.parametrize("answer", ["yes", "unsure"])
def test_a_yes_or_not_sure_to_the_rest_asks_each_sign_left_on_its_own(shipped, answer):
    triage = Triage(shipped)
    _to_danger_screen(triage)
    triage.answer("danger_screen", "yes")
    triage.name("danger_screen", ("fall_or_injury",))
    triage.answer(REST, answer)
    asked = []
    while isinstance(step := triage.next_step(), Ask) and step.question.id in DANGER[1:] + ("major_trauma",):
        asked.append(step.question.id)
        triage.answer(step.question.id, "no")
    # Every sign that could make it an emergency is asked, or, after a yes to the rest and no to every
    # other, is the one left (the screen's rule).
    deduced = {f for f in DANGER[1:] if f not in asked and triage.answers.values.get(f) == "yes"}
    assert set(DANGER[1:]) - {"calf_tender"} <= set(asked) | deduced
    assert len(deduced) == (1 if answer == "yes" else 0)


def test_a_sign_left_that_is_an_emergency_still_ends_at_once(shipped):
    triage = Triage(shipped)
    _to_danger_screen(triage)
    triage.answer("danger_screen", "yes")
    triage.name("danger_screen", ("fall_or_injury",))
    triage.answer(REST, "yes")
    while (q := triage.next_step().question.id) != "chest_pain":
        triage.answer(q, "no")
    triage.answer("chest_pain", "yes")
    result = triage.next_step()
    assert isinstance(result, Outcome) and result.disposition is Disposition.EMERGENCY


def test_an_emergency_sign_named_ends_at_once_without_the_rest(shipped):
    triage = Triage(shipped)
    _to_danger_screen(triage)
    triage.answer("danger_screen", "yes")
    triage.name("danger_screen", ("chest_pain",))
    result = triage.next_step()
    assert isinstance(result, Outcome) and result.disposition is Disposition.EMERGENCY


def test_back_undoes_the_naming_with_the_answer(shipped):
    triage = Triage(shipped)
    _to_danger_screen(triage)
    before = (triage.answers.copy().values, list(triage.asked))
    triage.answer("danger_screen", "yes")
    triage.name("danger_screen", ("fall_or_injury",))
    triage.answer(REST, "no")
    assert triage.back()  # the rest's no
    assert triage.next_step().question.id == REST
    assert triage.back()  # the screen's yes, with what it named
    assert (triage.answers.values, triage.asked) == before
    assert triage.next_step().question.id == "danger_screen"


def test_a_plain_yes_still_asks_every_sign_on_its_own(shipped):
    triage = Triage(shipped)
    _to_danger_screen(triage)
    triage.answer("danger_screen", "yes")
    triage.name("danger_screen", ())
    assert triage.next_step().question.id in DANGER


@pytest.mark.parametrize(("screen", "text", "named"), [
    ("danger_screen", "yes, I had a fall", ("fall_or_injury",)),
    ("danger_screen", "yes I fell off a ladder but no chest pain", ("fall_or_injury",)),
    ("danger_screen", "yes, I fell, and my calf is swollen", ("fall_or_injury", "calf_swelling")),
    ("danger_screen", "no wait, yes, I fell over", ("fall_or_injury",)),
    ("general_screen", "yes, it's worse at night", ("night_pain",)),
    ("general_screen", "yes, I've had cancer", ("cancer_history",)),
    ("muscle_screen", "yes, I take a statin", ("muscle_breakdown_risk",)),
    ("pregnancy_screen", "yes, it hurts when I pee", ("painful_urination",)),
    # Nothing named in so many words: every sign is asked.
    ("danger_screen", "yes", ()),
    ("danger_screen", "yes, one of those", ()),
    ("general_screen", "yeah I think so", ()),
    # Hedged or denied signs are not named.
    ("danger_screen", "yes, I might have had a fall", ()),
    ("general_screen", "yes, but I have never had cancer", ()),
    # Words that are a phrase of two signs name neither ("tight and swollen": a tense leg or a
    # swollen calf): both are asked.
    ("danger_screen", "yes, my calf is tight and swollen", ()),
])
def test_the_signs_a_yes_names(grammar, shipped, screen, text, named):
    assert grammar.named(text, shipped.questions[screen]) == named


def test_a_question_about_one_sign_names_nothing(grammar, shipped):
    assert grammar.named("yes I had a fall", shipped.questions["fall_or_injury"]) == ()


def test_a_typed_session_asks_the_rest_together_and_reads_each_sign_back(shipped, grammar):
    lines = ["44", "no", "no", "no", "yes, I fell off a ladder", "no", "no", "no", "no", "no",
             "three weeks", "no", "no", "no", "no", "no", "no", "no", "3", "yes", "no"]
    events, _ = run_session(shipped, grammar, lines)
    asks = of(events, "ask")
    ids = [a["question"] for a in asks]
    i = ids.index(REST)
    assert ids[i - 1] == "danger_screen"
    assert asks[i]["findings"] == list(DANGER[1:]) and asks[i]["kind"] == "yes_no"
    assert not set(ids) & set(DANGER)  # no sign of the screen asked on its own
    heard = [h for h in of(events, "heard") if h["question"] == "danger_screen"]
    assert heard[0]["answer"] == "yes"
    readback = next(a["text"] for a in asks if a["question"] == READBACK_CONFIRM)
    assert "A fall or injury: yes." in readback and "a cold, pale leg" in readback
    (outcome,) = of(events, "outcome")
    assert outcome["disposition"] in ("soon", "self_care", "urgent")


def test_one_sign_left_is_asked_in_its_own_question(shipped):
    # The muscle screen has two signs: a statin named leaves new exercise, asked alone where it matters.
    triage = Triage(shipped)
    for qid, value in (("age", 60), ("ces_screen", "no"), ("leg_weakness", "no"),
                       ("danger_screen", "no"), ("general_screen", "no"), ("duration", "less_than_week")):
        triage.answer(qid, value)
    while (q := triage.next_step().question.id) != "muscle_screen":
        triage.answer(q, "yes" if q == "lifting_start" else "no")
    triage.answer("muscle_screen", "yes")
    triage.name("muscle_screen", ("muscle_breakdown_risk",))
    assert triage.answers.values["muscle_breakdown_risk"] == "yes"
    assert triage.next_step().question.id != REST
