"""The triage engine driven directly, without a session: red flags, the read-back and its phases.

Uses the shipped content, the fixture content (tests/fixtures/mini) and small content written
inline here over a copy of the fixture's regions, dispositions and dialog.
"""

from __future__ import annotations

import pytest

from voice.triage.engine import READBACK_CONFIRM, READBACK_WHICH, Ask, Outcome, Triage
from voice.triage.loader import load_content
from voice.triage.model import Disposition, Kind
from voice.triage.phases import TRANSITIONS, Phase, PhaseError, check_transitions

FINDINGS = """\
chest_pain: {description: chest pain, yes_reason: "you have chest pain", no_reason: "you have no chest pain"}
lifting_start: {description: lifting, yes_reason: "it started with lifting", no_reason: "not from lifting"}
"""

QUESTIONS = """\
chest_pain:
  kind: yes_no
  findings: [chest_pain]
  text: "Do you have chest pain?"
  rephrase: "Any chest pain?"
  help: "Say yes or no."
  why: "It can be an emergency."
  readback: "chest pain"
lifting_start:
  kind: yes_no
  findings: [lifting_start]
  text: "Did it start when lifting?"
  rephrase: "Lifting?"
  help: "Say yes or no."
  why: "Strain."
  readback: "started with lifting"
"""

TREE = """\
start: chest
nodes:
  chest: {ask: chest_pain, next: lifting}
  lifting: {ask: lifting_start, next: outcome}
"""

RED_FLAGS = """\
- id: chest_pain
  when: chest_pain
  level: emergency
  {unsure_level}suspects: [heart]
  advice: "Chest pain with back pain needs help now."
  source: "NHS, Back pain, https://www.nhs.uk/conditions/back-pain/, checked 2026-12-07"
"""

CAUSES = """\
strain:
  name: a muscle strain
  description: A strained muscle.
  serious: false
  prior: 1
  level: self_care
  evidence:
    - {when: lifting_start, weight: 2}
  self_care:
    - {say: "Keep moving.", source: "NICE, NG59, https://www.nice.org.uk/guidance/ng59, checked 2026-12-07"}
  see_doctor: "See a doctor if it gets worse."
  sources: ["NICE, NG59, https://www.nice.org.uk/guidance/ng59, checked 2026-12-07"]
disc:
  name: sciatica from a disc
  description: A disc presses on a nerve.
  serious: false
  prior: 1.5
  level: self_care
  evidence: []
  self_care:
    - {say: "Keep active.", source: "NICE, NG59, https://www.nice.org.uk/guidance/ng59, checked 2026-12-07"}
  see_doctor: "See a doctor if it is not better in six weeks."
  sources: ["NICE, NG59, https://www.nice.org.uk/guidance/ng59, checked 2026-12-07"]
heart:
  name: a heart problem
  description: The heart.
  serious: true
  prior: 0
  level: emergency
  evidence:
    - {when: chest_pain, weight: 5}
  self_care:
    - say: "Do not drive yourself."
      source: "NHS, Back pain, https://www.nhs.uk/conditions/back-pain/, checked 2026-12-07"
  see_doctor: "Go now."
  sources: ["NHS, Back pain, https://www.nhs.uk/conditions/back-pain/, checked 2026-12-07"]
"""


@pytest.fixture
def tiny(mini_copy):
    """Two questions: chest pain (an emergency red flag), then lifting (which puts a strain before a
    disc). `tiny(unsure_level=...)` sets the red flag's level on "not sure" (left out: the default,
    urgent)."""

    def make(unsure_level: str | None = None):
        files = {
            "findings.yaml": FINDINGS, "questions.yaml": QUESTIONS, "tree.yaml": TREE,
            "red_flags.yaml": RED_FLAGS.replace(
                "{unsure_level}", f"unsure_level: {unsure_level}\n  " if unsure_level else ""),
            "escalations.yaml": "[]\n", "causes.yaml": CAUSES,
        }
        for name, text in files.items():
            (mini_copy / name).write_text(text, encoding="utf-8")
        return load_content(mini_copy)

    return make


def ask(triage: Triage) -> Ask:
    step = triage.next_step()
    assert isinstance(step, Ask), step
    return step


def outcome(triage: Triage) -> Outcome:
    step = triage.next_step()
    assert isinstance(step, Outcome), step
    return step


def answer_all(triage: Triage, given: dict[str, object], default: object = "no") -> list[str]:
    """Answer every tree question until the read-back or the outcome: `given` by question id, else
    `default` (the middle of a number's range, the first choice). Returns the question ids asked."""
    asked = []
    step = triage.next_step()
    while isinstance(step, Ask) and step.question.id not in (READBACK_CONFIRM, READBACK_WHICH):
        q = step.question
        value = given.get(q.id, default)
        if q.kind is Kind.NUMBER and q.id not in given:
            value = ((q.minimum or 0) + (q.maximum or 0)) // 2
        elif q.kind is Kind.CHOICE and q.id not in given:
            value = q.choices[0].id
        triage.answer(q.id, value)
        asked.append(q.id)
        step = triage.next_step()
    return asked


# ----------------------------------------------------------------- red flags


def test_a_red_flag_yes_ends_at_emergency_at_once(shipped):
    triage = Triage(shipped)
    first = ask(triage).question
    assert first.id == shipped.tree.nodes[shipped.tree.start].ask == "age"
    triage.answer("age", 40)
    screen = ask(triage).question
    assert screen.id == "ces_screen"
    triage.answer(screen.id, "yes")
    result = outcome(triage)
    assert result.disposition is Disposition.EMERGENCY
    assert result.ended_early
    assert ("cauda_equina", Disposition.EMERGENCY) in [(r.id, level) for r, level in result.rules]
    assert result.causes[0].cause.id == "cauda_equina"
    assert triage.asked == ["age", "ces_screen"]


CES_SINGLES = ["saddle_numbness", "bladder_problem", "bowel_problem", "sexual_dysfunction", "both_legs_new"]


def test_not_sure_to_the_cauda_equina_screen_asks_each_sign_on_its_own(shipped):
    # A "not sure" to the whole screen is not yet an emergency: each sign is asked on its own.
    triage = Triage(shipped)
    triage.answer("age", 40)
    triage.answer("ces_screen", "unsure")
    for qid in CES_SINGLES:
        assert ask(triage).question.id == qid
        triage.answer(qid, "no")
    assert ask(triage).question.id == "leg_weakness"


@pytest.mark.parametrize(("sign", "answer", "level"), [
    ("saddle_numbness", "unsure", Disposition.EMERGENCY),
    ("bladder_problem", "unsure", Disposition.EMERGENCY),
    ("bowel_problem", "yes", Disposition.EMERGENCY),
    ("both_legs_new", "yes", Disposition.EMERGENCY),
])
def test_a_cauda_equina_sign_asked_alone_is_an_emergency_on_yes_and_bladder_or_saddle_on_not_sure(
        shipped, sign, answer, level):
    triage = Triage(shipped)
    triage.answer("age", 40)
    triage.answer("ces_screen", "unsure")
    while (q := ask(triage).question.id) != sign:
        triage.answer(q, "no")
    triage.answer(sign, answer)
    result = outcome(triage)
    assert result.disposition is level and result.ended_early
    assert result.causes[0].cause.id == "cauda_equina"


@pytest.mark.parametrize("age", [4, 30])
def test_after_an_urgent_sign_two_unknown_signs_that_make_an_emergency_together_are_both_asked(shipped, age):
    # A swollen calf makes it urgent; pain in waves and a fever are each only urgent alone, but
    # together an emergency (an infected blocked kidney): both are still asked, and a yes to both is
    # an emergency (a property test found the session skipping both).
    triage = Triage(shipped)
    triage.answer("age", age)
    yes = {"danger_screen", "calf_swelling", "colicky_flank_pain", "fever", "general_screen",
           "general_screen_child"}
    asked = []
    while isinstance(step := triage.next_step(), Ask) and len(asked) < 60:
        q = step.question
        asked.append(q.id)
        if q.kind is Kind.YES_NO:
            triage.answer(q.id, "yes" if q.id in yes else "no")
        elif q.kind is Kind.NUMBER:
            triage.answer(q.id, 3)
        else:
            triage.answer(q.id, q.choices[0].id)
    assert "colicky_flank_pain" in asked
    assert outcome(triage).disposition is Disposition.EMERGENCY, asked


def test_a_child_is_never_asked_adult_only_questions(shipped):
    # Under 16 (a parent may be answering): no sexual function, no injecting drugs, no pregnancy under 10.
    adult_only = {"ces_screen", "sexual_dysfunction", "general_screen", "immune_risk", "pregnant",
                  "pregnant_or_birth", "recent_birth"}
    for age in (4, 9, 13):
        triage = Triage(shipped)
        triage.answer("age", age)
        while isinstance(step := triage.next_step(), Ask):
            q = step.question
            pregnancy = q.id in ("pregnant", "pregnant_or_birth", "recent_birth")
            assert q.id not in adult_only or (pregnancy and age >= 10), (age, q.id)
            if q.id == READBACK_CONFIRM:
                triage.answer(q.id, "yes")
            elif q.kind is Kind.YES_NO:
                triage.answer(q.id, "no")
            else:
                triage.answer(q.id, "less_than_week" if q.kind is Kind.CHOICE else 3)


@pytest.mark.parametrize(("unsure_level", "ends_at_once"), [("emergency", True), (None, False)],
                         ids=["unsure_level_emergency", "default_unsure_level"])
def test_not_sure_to_a_red_flag_is_never_a_no(tiny, unsure_level, ends_at_once):
    content = tiny(unsure_level)
    triage = Triage(content)
    triage.answer(ask(triage).question.id, "unsure")
    if ends_at_once:
        result = outcome(triage)
        assert result.ended_early and result.disposition is Disposition.EMERGENCY
    else:
        # Not an emergency on a "not sure": the walk goes on, and the advice is still urgent.
        assert ask(triage).question.id == "lifting_start"
        triage.answer("lifting_start", "yes")
        assert ask(triage).question.id == READBACK_CONFIRM
        triage.answer(READBACK_CONFIRM, "yes")
        result = outcome(triage)
        assert result.disposition is Disposition.URGENT and not result.ended_early
    assert result.red_flags == ("chest_pain",)
    assert [(r.id, level.value) for r, level in result.rules] == [("chest_pain", unsure_level or "urgent")]
    heart = result.causes[0]
    assert heart.cause.id == "heart"
    # Named for what the person was not sure about, never as if it were a yes.
    assert heart.because == ("you were not sure about chest pain",)


def test_an_urgent_red_flag_asks_only_what_could_make_it_an_emergency(mini):
    triage = Triage(mini)
    asked = answer_all(triage, {"fever": "yes"})
    # The weak immune system could make a fever an emergency; age, the knee and the duration cannot.
    assert asked == ["ces_screen", "fever", "immune_risk"]
    result = outcome(triage)
    assert result.disposition is Disposition.URGENT and result.ended_early
    assert result.causes[0].cause.id == "spinal_infection"
    assert result.causes[0].because == ("you have a fever",)


def test_an_emergency_found_after_the_first_question_still_ends_at_once(mini):
    triage = Triage(mini)
    asked = answer_all(triage, {"fever": "yes", "immune_risk": "yes"})
    assert asked == ["ces_screen", "fever", "immune_risk"]
    result = outcome(triage)
    assert result.disposition is Disposition.EMERGENCY and result.ended_early
    assert [r.id for r, _ in result.rules] == ["infection_risk", "fever"]


# ----------------------------------------------------------------- the read-back and its phases


def test_the_answers_are_read_back_before_self_care_advice(tiny):
    triage = Triage(tiny())
    assert triage.phase is Phase.WALK
    assert answer_all(triage, {"lifting_start": "yes"}) == ["chest_pain", "lifting_start"]
    step = ask(triage)
    assert step.question.id == READBACK_CONFIRM and triage.phase is Phase.WALK
    assert [(q.id, value) for q, value in step.readback_items] == [("lifting_start", "yes")]
    # The warning sign answered no is read back too ("none of these").
    assert [q.id for q in triage.readback_denied()] == ["chest_pain"]
    triage.answer(READBACK_CONFIRM, "yes")
    assert triage.phase is Phase.CONFIRMED
    result = outcome(triage)
    assert result.disposition is Disposition.SELF_CARE and not result.ended_early
    assert [(rc.cause.id, rc.because) for rc in result.causes] == [("strain", ("it started with lifting",)),
                                                                   ("disc", ())]


def test_a_hasty_no_put_right_at_the_read_back_becomes_an_emergency(tiny):
    triage = Triage(tiny())
    answer_all(triage, {"lifting_start": "yes"})
    triage.answer(READBACK_CONFIRM, "no")
    assert triage.phase is Phase.WHICH
    which = ask(triage)
    assert which.question.id == READBACK_WHICH
    assert [c.id for c in which.question.choices] == ["lifting_start", "chest_pain"]
    triage.answer(READBACK_WHICH, "chest_pain")
    assert triage.phase is Phase.CORRECTING and triage.correcting == "chest_pain"
    assert ask(triage).question.id == "chest_pain"
    triage.answer("chest_pain", "yes")
    assert triage.phase is Phase.WALK and triage.correcting is None
    result = outcome(triage)
    assert result.disposition is Disposition.EMERGENCY and result.ended_early


def test_nothing_to_change_at_the_read_back_gives_the_advice(tiny):
    triage = Triage(tiny())
    answer_all(triage, {"lifting_start": "yes"})
    triage.answer(READBACK_CONFIRM, "no")
    triage.answer(READBACK_WHICH, None)  # "nothing", or no answer after every try
    assert triage.phase is Phase.CONFIRMED
    assert outcome(triage).disposition is Disposition.SELF_CARE


def test_the_answers_are_read_back_at_most_twice(mini):
    triage = Triage(mini)
    given = {"pain_below_knee": "yes", "age": 60}
    for age in (50, 40):
        answer_all(triage, given)
        step = ask(triage)
        assert step.question.id == READBACK_CONFIRM
        assert ("age", given["age"]) in [(q.id, value) for q, value in step.readback_items]
        triage.answer(READBACK_CONFIRM, "no")
        triage.answer(READBACK_WHICH, "age")
        assert ask(triage).question.id == "age"
        triage.answer("age", age)
        given["age"] = age
    # Changed twice: the walk goes on (the duration matters under 50), and no third read-back.
    assert answer_all(triage, given) == ["duration"]
    assert triage.readbacks == 2
    result = outcome(triage)
    assert triage.answers.values["age"] == 40
    assert result.disposition is Disposition.SELF_CARE and not result.ended_early


def test_back_returns_to_the_phase_the_answer_was_given_in(tiny):
    triage = Triage(tiny())
    answer_all(triage, {"lifting_start": "yes"})
    triage.answer(READBACK_CONFIRM, "no")
    triage.answer(READBACK_WHICH, "lifting_start")
    assert triage.phase is Phase.CORRECTING
    triage.answer("lifting_start", "no")
    assert triage.phase is Phase.WALK and triage.answers.values["lifting_start"] == "no"

    assert triage.back()
    assert triage.phase is Phase.CORRECTING and triage.correcting == "lifting_start"
    assert triage.answers.values["lifting_start"] == "yes"
    assert triage.back()
    assert triage.phase is Phase.WHICH and ask(triage).question.id == READBACK_WHICH
    assert triage.back()
    assert triage.phase is Phase.WALK and triage.readbacks == 0
    assert ask(triage).question.id == READBACK_CONFIRM
    triage.answer(READBACK_CONFIRM, "yes")
    assert triage.back() and triage.phase is Phase.WALK
    assert triage.back() and triage.back() and not triage.back()
    assert triage.asked == [] and ask(triage).question.id == "chest_pain"


def test_restart_forgets_everything(tiny):
    triage = Triage(tiny())
    answer_all(triage, {"lifting_start": "yes"})
    triage.answer(READBACK_CONFIRM, "no")
    triage.restart()
    assert triage.phase is Phase.WALK and triage.turns == 0 and triage.readbacks == 0
    assert triage.asked == [] and triage.answers.values == {}
    assert ask(triage).question.id == "chest_pain"


# ----------------------------------------------------------------- illegal steps


def test_an_answer_the_phase_does_not_ask_for_raises_and_changes_nothing(tiny):
    triage = Triage(tiny())
    with pytest.raises(PhaseError, match=r"'change' is not allowed in phase 'walk'"):
        triage.answer(READBACK_WHICH, "chest_pain")
    answer_all(triage, {"lifting_start": "yes"})
    triage.answer(READBACK_CONFIRM, "no")
    turns, answers = triage.turns, triage.answers.copy()
    with pytest.raises(PhaseError, match=r"'answer' is not allowed in phase 'which'"):
        triage.answer("lifting_start", "no")
    with pytest.raises(PhaseError, match=r"'readback_yes' is not allowed in phase 'which'"):
        triage.answer(READBACK_CONFIRM, "yes")
    assert triage.phase is Phase.WHICH and triage.turns == turns and triage.answers == answers

    triage.answer(READBACK_WHICH, "lifting_start")
    with pytest.raises(PhaseError, match=r"the answer to 'lifting_start' is being changed, not 'chest_pain'"):
        triage.answer("chest_pain", "yes")
    triage.answer("lifting_start", "yes")
    triage.answer(READBACK_CONFIRM, "yes")
    with pytest.raises(PhaseError, match=r"in phase 'confirmed' \(allowed there: only back and restart\)"):
        triage.answer("lifting_start", "no")
    assert isinstance(triage.next_step(), Outcome)


def test_the_phase_table_reaches_every_phase_and_always_the_advice():
    check_transitions(TRANSITIONS)
    assert {source for _, source in TRANSITIONS} | set(TRANSITIONS.values()) == set(Phase)


@pytest.mark.parametrize(("drop", "add", "pattern"), [
    (("keep", "readback_yes"), {}, r"phase 'walk' never leads to 'confirmed'"),
    (("change",), {}, r"phase 'correcting' can never be reached from 'walk'"),
    (("corrected",), {}, r"phase 'correcting' never leads to 'confirmed'"),
    ((), {("reopen", Phase.CONFIRMED): Phase.WALK},
     r"phase 'confirmed' must end the dialog, but it leads to walk"),
], ids=["no_way_to_the_advice", "unreachable_phase", "dead_end_phase", "advice_reopened"])
def test_a_broken_phase_table_is_refused(drop, add, pattern):
    table = {key: to for key, to in TRANSITIONS.items() if key[0] not in drop} | add
    with pytest.raises(PhaseError, match=pattern):
        check_transitions(table)
