"""Units of the evaluation: the simulated patient's answering rules, report arithmetic, and
vignette validation. Real small inputs, no mocks."""

from __future__ import annotations

import dataclasses
import random
import textwrap

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bench.evaluation.patient import SessionResult, SimulatedPatient, load_phrasings, number_in_words
from bench.evaluation.report import format_report, summarize
from bench.evaluation.vignettes import (
    CAUSES,
    DEFAULT_VIGNETTE_DIR,
    IMPLIED,
    YES_NO_FINDINGS,
    VignetteError,
    level_rank,
    load_vignette,
    load_vignettes,
    vignette_from_dict,
)
from voice.dialog.events import Ask, Heard

PHRASINGS = load_phrasings()


def make_vignette(**overrides):
    data = {
        "id": "unit",
        "story": "My back hurts.",
        "yes": ["back_pain", "pain_below_knee"],
        "unsure": ["saddle_numbness"],
        "age": 67,
        "pain_score": 6,
        "duration": "one_to_six_weeks",
        "expect": {"disposition": "self_care", "cause": "sciatica_disc"},
    }
    data.update(overrides)
    return vignette_from_dict(data)


def ask(findings, kind="yes_no", question="q", choices=()):
    return Ask(question, list(findings), kind, list(choices), "?")


def patient(vignette=None, seed=0):
    return SimulatedPatient(vignette or make_vignette(), PHRASINGS, random.Random(seed))


DURATIONS = ["less_than_week", "one_to_six_weeks", "more_than_six_weeks"]

# --- the simulated patient ---------------------------------------------------------------


def test_yes_when_any_listed_finding_is_yes():
    p = patient()
    assert p.intent(ask(["saddle_numbness", "bladder_problem", "back_pain"])) == "yes"
    assert p.answer(ask(["back_pain"])) in PHRASINGS["yes"]


def test_unsure_when_none_is_yes_and_one_is_unsure():
    p = patient()
    assert p.intent(ask(["bladder_problem", "saddle_numbness"])) == "unsure"
    assert p.answer(ask(["saddle_numbness"])) in PHRASINGS["unsure"]


def test_no_for_every_other_finding():
    p = patient()
    assert p.intent(ask(["fever", "weight_loss"])) == "no"
    assert p.answer(ask(["fever"])) in PHRASINGS["no"]


def test_question_about_no_finding_is_confirmed():
    p = patient()
    event = ask([], question="readback_confirm")
    assert p.intent(event) == "confirm"
    assert p.answer(event) in PHRASINGS["confirm"]


def test_number_answers_say_the_vignettes_value():
    p = patient()
    answers = {p.answer(ask(["age"], kind="number", question="age")) for _ in range(40)}
    assert answers <= {"I'm 67", "67", "sixty seven", "I'm sixty seven", "67 years old", "I am 67"}
    assert len(answers) > 1
    assert all(
        "6" in a or "six" in a
        for a in (p.answer(ask(["pain_score"], kind="number", question="pain")) for _ in range(20))
    )


def test_a_number_asked_as_yes_or_no_is_answered_from_the_vignettes_value():
    p = patient()  # 67 years old, pain 6

    def step(of, at_least):
        return dataclasses.replace(ask([], question="number_at_least"), of=of, at_least=at_least)

    assert [p.intent(step("age", n)) for n in (50, 65, 67, 68)] == ["yes", "yes", "yes", "no"]
    assert p.intent(step("pain_score", 8)) == "no"
    assert p.intent(step("weight", 8)) == "unsure"  # a number it does not know
    p.answer(ask(["age"], kind="number", question="age"))  # the age, said but not understood
    assert p.answer(step("age", 50)) in PHRASINGS["yes"]
    # "I heard yes. Is that right?" after it is about that step, not the age asked before.
    p.hear(Heard("number_at_least", "yes", "yes", None, 1.0))
    assert p.intent(ask([], question="confirm")) == "confirm"


def test_missing_number_is_not_sure():
    p = patient(
        vignette_from_dict(
            {
                "id": "noage",
                "story": "x",
                "yes": [],
                "expect": {"disposition": "soon", "cause": "muscle_strain"},
            }
        )
    )
    assert p.intent(ask(["age"], kind="number")) == "unsure"
    assert p.answer(ask(["age"], kind="number")) in PHRASINGS["unsure"]


@pytest.mark.parametrize("value", DURATIONS)
def test_choice_answer_is_a_phrase_of_that_value(value):
    p = patient(make_vignette(duration=value))
    event = ask(["duration"], kind="choice", question="duration", choices=DURATIONS)
    assert p.intent(event) == value
    for _ in range(10):
        assert p.answer(event) in PHRASINGS["choice"]["duration"][value]


def test_choice_not_offered_or_unknown_is_not_sure():
    p = patient()
    assert p.intent(ask(["duration"], kind="choice", choices=["days", "weeks"])) == "unsure"
    unknown = vignette_from_dict(
        {"id": "x", "story": "x", "yes": [], "expect": {"disposition": "soon", "cause": "muscle_strain"}}
    )
    assert patient(unknown).intent(ask(["duration"], kind="choice", choices=DURATIONS)) == "unsure"


def test_same_seed_same_words_and_wording_varies():
    events = [ask(["back_pain"]), ask(["fever"]), ask(["age"], kind="number"), ask([])] * 10
    a, b = patient(seed=3), patient(seed=3)
    assert [a.answer(e) for e in events] == [b.answer(e) for e in events]
    c = patient(seed=4)
    yes_words = {c.answer(ask(["back_pain"])) for _ in range(50)}
    assert len(yes_words) >= 4


@pytest.mark.parametrize(
    ("n", "words"),
    [
        (0, "zero"),
        (7, "seven"),
        (19, "nineteen"),
        (20, "twenty"),
        (67, "sixty seven"),
        (90, "ninety"),
        (100, "a hundred"),
        (105, "a hundred and five"),
    ],
)
def test_number_in_words(n, words):
    assert number_in_words(n, PHRASINGS["number_words"]) == words


finding_ids = st.sampled_from(sorted(YES_NO_FINDINGS))


@settings(max_examples=200, deadline=None)
@given(
    yes=st.sets(finding_ids, max_size=6),
    unsure=st.sets(finding_ids, max_size=4),
    asked=st.lists(finding_ids, min_size=1, max_size=4),
)
def test_yes_no_rule_holds_for_any_patient(yes, unsure, asked):
    unsure = unsure - yes
    v = vignette_from_dict(
        {
            "id": "h",
            "story": "x",
            "yes": sorted(yes),
            "unsure": sorted(unsure),
            "expect": {"disposition": "soon", "cause": "muscle_strain"},
        }
    )
    meaning = patient(v).intent(ask(asked))
    # A finding says what the protocol's definitions imply (IMPLIED), unless the patient is unsure of it.
    yes = yes | ({f for given in yes for f in IMPLIED.get(given, ())} - unsure)
    if set(asked) & yes:
        assert meaning == "yes"
    elif set(asked) & unsure:
        assert meaning == "unsure"
    else:
        assert meaning == "no"


# --- report arithmetic ------------------------------------------------------------------


def small_set():
    def v(vid, level, cause):
        return vignette_from_dict(
            {"id": vid, "story": "x", "yes": [], "expect": {"disposition": level, "cause": cause}}
        )

    vignettes = [
        v("e1", "emergency", "cauda_equina"),
        v("u1", "urgent", "spinal_infection"),
        v("s1", "soon", "spinal_stenosis"),
        v("c1", "self_care", "muscle_strain"),
        v("c2", "self_care", "piriformis_syndrome"),
    ]
    results = [
        SessionResult("e1", "emergency", ["cauda_equina", "sciatica_disc"], ["saddle_numbness"], 2),
        SessionResult("u1", "soon", ["spinal_infection", "muscle_strain"], [], 5),
        SessionResult(
            "s1",
            "urgent",
            ["sciatica_disc", "muscle_strain", "spine_arthritis", "spinal_stenosis"],
            ["night_pain"],
            7,
        ),
        SessionResult("c1", None, [], [], 3, error="no outcome within 60 s (hang)"),
        SessionResult("c2", "self_care", ["piriformis_syndrome"], [], 9),
    ]
    return vignettes, results


def test_summary_counts_and_percentages():
    summary = summarize(*small_set())
    o = summary["overall"]
    assert (o["exact"], o["safe"], o["under"], o["over"], o["error"]) == (2, 3, 1, 1, 1)
    assert (o["exact_pct"], o["safe_pct"], o["under_pct"], o["over_pct"], o["error_pct"]) == (
        40.0,
        60.0,
        20.0,
        20.0,
        20.0,
    )
    assert summary["levels"]["emergency"] == {
        "count": 1,
        "exact": 1,
        "safe": 1,
        "under": 0,
        "over": 0,
        "error": 0,
    }
    assert summary["levels"]["urgent"]["under"] == 1
    assert summary["levels"]["soon"]["over"] == 1
    assert summary["levels"]["self_care"] == {
        "count": 2,
        "exact": 1,
        "safe": 1,
        "under": 0,
        "over": 0,
        "error": 1,
    }
    assert summary["emergencies"] == {"sent": 1, "total": 1}
    # found: e1 (listed, emergency), u1 (top 3), c2 (top 3); s1 is 4th; c1 failed.
    assert summary["causes"]["found"] == 3 and summary["causes"]["found_pct"] == 60.0
    # non-emergency, non-failed sessions: u1 5, s1 7, c2 9 questions
    assert summary["questions"] == {"median": 7, "max": 9, "sessions": 3}
    assert [r["id"] for r in summary["failures"]] == ["u1", "s1", "c1"]
    assert [r["id"] for r in summary["over_triaged"]] == ["s1"]
    assert summary["met"] is False
    assert summary["targets"]["emergencies"]["met"] is True


def test_missing_emergency_misses_the_target_and_a_missing_result_fails():
    vignettes, results = small_set()
    results[0] = SessionResult("e1", "urgent", ["cauda_equina"], [], 3)
    summary = summarize(vignettes, results[:-1])  # c2 was not run
    assert summary["emergencies"] == {"sent": 0, "total": 1}
    assert summary["targets"]["emergencies"]["met"] is False
    assert summary["overall"]["error"] == 2
    assert "emergency not sent to emergency care" in summary["failures"][0]["why"]


def test_report_is_a_markdown_table_naming_failures():
    text = format_report(summarize(*small_set()))
    assert "| expected | count | exact | safe | under-triage | over-triage | failed sessions |" in text
    assert "| emergency | 1 | 1 | 1 | 0 | 0 | 0 |" in text
    assert "| u1 | urgent | soon |" in text
    assert "| 1/1 |" in text
    assert "Targets MISSED." in text


def test_level_rank_orders_dispositions():
    assert [level_rank(d) for d in ("emergency", "urgent", "soon", "self_care", None)] == [3, 2, 1, 0, -1]


# --- vignette validation ------------------------------------------------------------------

GOOD = """\
id: {id}
story: "It hurts when I sit."
"yes": [worse_sitting]
unsure: []
age: 40
pain_score: 4
duration: less_than_week
expect:
  disposition: self_care
  cause: prolonged_sitting
"""


def write(tmp_path, name, text):
    path = tmp_path / f"{name}.yaml"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def test_good_vignette_loads_and_unquoted_yes_stays_a_key(tmp_path):
    v = load_vignette(write(tmp_path, "ok", GOOD.format(id="ok").replace('"yes":', "yes:")))
    assert v.yes == {"worse_sitting"} and v.numbers == {"age": 40, "pain_score": 4}
    assert v.choices == {"duration": "less_than_week"}


@pytest.mark.parametrize(
    ("change", "match"),
    [
        (lambda t: t + "colour: red\n", r"bad\.yaml.*unknown key 'colour'"),
        (lambda t: t + "  urgency: high\n", r"bad\.yaml.*unknown key 'urgency' in 'expect'"),
        (
            lambda t: t.replace("[worse_sitting]", "[sore_bum]"),
            r"bad\.yaml.*'sore_bum'.*not a protocol finding",
        ),
        (
            lambda t: t.replace("unsure: []", "unsure: [fevers]"),
            r"bad\.yaml.*'fevers'.*not a protocol finding",
        ),
        (lambda t: t.replace("prolonged_sitting", "sitting_too_much"), r"bad\.yaml.*not a protocol cause"),
        (lambda t: t.replace("self_care", "whenever"), r"bad\.yaml.*not a protocol disposition"),
        (lambda t: t.replace("less_than_week", "a_while"), r"bad\.yaml.*'duration' must be one of"),
        (lambda t: t.replace("age: 40", "age: 400"), r"bad\.yaml.*'age' must be a whole number"),
        (lambda t: t.replace("unsure: []", "unsure: [worse_sitting]"), r"in both 'yes' and 'unsure'"),
        (lambda t: t.replace("id: bad", "id: other"), r"bad\.yaml.*differs from the file name"),
        (lambda t: t.replace("age: 40\n", "age: 40\nage: 41\n"), r"bad\.yaml.*appears twice"),
        (lambda t: t.replace('story: "It hurts when I sit."\n', ""), r"bad\.yaml.*'story' is missing"),
        (lambda t: t.replace("  cause: prolonged_sitting\n", ""), r"bad\.yaml.*lacks 'cause'"),
        (lambda t: t.replace("[worse_sitting]", "[age]"), r"'age' in 'yes' is not a protocol finding"),
    ],
)
def test_bad_vignettes_are_errors_naming_the_file(tmp_path, change, match):
    path = write(tmp_path, "bad", change(GOOD.format(id="bad")))
    with pytest.raises(VignetteError, match=match):
        load_vignette(path)


def test_folder_loading_skips_underscore_files(tmp_path):
    write(tmp_path, "one", GOOD.format(id="one"))
    write(tmp_path, "_phrasings", "not: a vignette\n")
    assert [v.id for v in load_vignettes(tmp_path)] == ["one"]


def test_empty_folder_is_an_error(tmp_path):
    with pytest.raises(VignetteError, match="no vignette files"):
        load_vignettes(tmp_path)


# --- the shipped vignettes cover what they must --------------------------------------------

SHIPPED = load_vignettes(DEFAULT_VIGNETTE_DIR)

RED_FLAG_FINDINGS = {
    "saddle_numbness",
    "bladder_problem",
    "bowel_problem",
    "sexual_dysfunction",
    "both_legs_new",
    "leg_weakness",
    "major_trauma",
    "chest_pain",
    "abdominal_pain_faint",
    "cancer_history",
    "fever",
    "immune_risk",
    "cannot_bear_weight",
    "weight_loss",
    "night_pain",
    "fragile_bones",
    "calf_swelling",
    "dark_urine",
    "painful_urination",
    "pregnancy_warning",
}


def test_shipped_vignettes_expect_every_cause():
    assert {v.expect_cause for v in SHIPPED} == CAUSES


def test_shipped_vignettes_exercise_every_red_flag_finding():
    flagged = set()
    for v in SHIPPED:
        if v.expect_disposition in ("emergency", "urgent"):
            flagged |= v.yes | v.unsure
    assert RED_FLAG_FINDINGS <= flagged, sorted(RED_FLAG_FINDINGS - flagged)


def test_unsure_red_flags_expect_at_least_urgent():
    for v in SHIPPED:
        if v.unsure & RED_FLAG_FINDINGS:
            assert level_rank(v.expect_disposition) >= level_rank("urgent"), v.id


def test_traps_are_present():
    by_id = {v.id: v for v in SHIPPED}
    cough = by_id["cough_sneeze_trap"]
    assert "worse_cough_sneeze" in cough.yes and cough.expect_disposition == "self_care"
    stenosis = by_id["stenosis_both_legs_trap"]
    assert "walking_eased_by_sitting" in stenosis.yes and "both_legs_new" not in stenosis.yes
    assert stenosis.expect_cause == "spinal_stenosis" and stenosis.expect_disposition == "soon"


def test_the_evaluation_in_process_gives_the_commands_figures(tmp_path):
    """`python -m bench.evaluation --in-process` (the session in the evaluating process) reports what
    the command run once per patient reports, on three test patients."""
    import json
    import shutil
    import subprocess
    import sys

    from bench.evaluation.vignettes import DEFAULT_VIGNETTE_DIR

    for name in ("ces_saddle_numbness", "disc_after_lifting", "unsure_fever"):
        shutil.copy(next(DEFAULT_VIGNETTE_DIR.rglob(f"{name}.yaml")), tmp_path / f"{name}.yaml")
    figures = []
    for extra in ([], ["--in-process"]):
        out = tmp_path / f"run{len(figures)}.json"
        command = [sys.executable, "-m", "bench.evaluation", "--vignettes", str(tmp_path), "--jobs", "2",
                   "--json", str(out), *extra]
        done = subprocess.run(command, capture_output=True, text=True, timeout=300)
        assert done.returncode in (0, 1), done.stderr
        summary = json.loads(out.read_text(encoding="utf-8"))
        figures.append([(v["id"], v["got_disposition"], v["got_causes"], v["questions"])
                        for v in summary["vignettes"]])
    assert figures[0] == figures[1] and len(figures[0]) == 3
