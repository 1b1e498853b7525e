"""Every test patient of tests/vignettes/ driven through the real session of `python -m voice --text --jsonl`
(in this process, see conftest.TypedSessions; a few also through the command itself, with the same result).

Triage is judged as in the clinical reference: safe means the expected level or more urgent;
an emergency must reach emergency care; the expected cause must be among the three most likely
(or, when the dialog ended on an emergency before cause questions, listed at all).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.evaluation.patient import SessionResult, run_session
from bench.evaluation.report import TARGETS, summarize
from bench.evaluation.vignettes import DEFAULT_VIGNETTE_DIR, Vignette, level_rank, load_vignettes
from voice.yamlio import load_yaml

VIGNETTES = load_vignettes(DEFAULT_VIGNETTE_DIR)
"""Every test patient: the hand-written ones and every blind round (tests/vignettes/round_N/)."""


def _gaps(folder: Path) -> dict[str, str]:
    path = folder / "_known_gaps.yaml"
    return load_yaml(path.read_text(encoding="utf-8"), source=str(path)) if path.exists() else {}


KNOWN_GAPS: dict[str, str] = _gaps(DEFAULT_VIGNETTE_DIR)
"""Test patients whose expectation is not met yet, with the reason (strict expected failures)."""


def _params() -> list:
    return [pytest.param(v, id=v.id, marks=pytest.mark.xfail(reason=KNOWN_GAPS[v.id], strict=True))
            if v.id in KNOWN_GAPS else pytest.param(v, id=v.id) for v in VIGNETTES]


def test_every_known_gap_names_a_test_patient():
    assert set(KNOWN_GAPS) <= {v.id for v in VIGNETTES}


def _transcript(result: SessionResult) -> str:
    lines = [
        f"  {t.get('question')}: said {t.get('said')!r} -> heard {t.get('heard')!r}" for t in result.turns
    ]
    if result.stderr_tail:
        lines.append("  stderr:\n" + result.stderr_tail)
    return "\n".join(lines)


@pytest.mark.parametrize("vignette", _params())
def test_vignette(vignette: Vignette, typed_sessions):
    result = typed_sessions.of(vignette)
    context = (
        f"{vignette.id}: expected {vignette.expect_disposition} / {vignette.expect_cause}, "
        f"got {result.disposition} / {result.causes} (red flags {result.red_flags})\n"
        f"{_transcript(result)}"
    )
    assert result.error is None, f"session failed: {result.error}\n{context}"
    assert level_rank(result.disposition) >= level_rank(vignette.expect_disposition), (
        f"under-triage\n{context}"
    )
    if vignette.expect_disposition == "emergency":
        assert result.disposition == "emergency", f"emergency not sent to emergency care\n{context}"
    if result.disposition == "emergency":
        assert vignette.expect_cause in result.causes, f"expected cause not listed\n{context}"
    else:
        assert vignette.expect_cause in result.causes[:3], f"expected cause not in the top 3\n{context}"


THROUGH_THE_COMMAND = ("ces_saddle_numbness", "disc_after_lifting", "unsure_fever")
"""Patients also run through `python -m voice --text --jsonl` as a subprocess: an emergency, a
patient sent home with advice, and one who is unsure."""


@pytest.mark.parametrize("vignette_id", THROUGH_THE_COMMAND)
def test_the_command_gives_the_same_session_as_the_in_process_one(vignette_id, typed_sessions):
    vignette = next(v for v in VIGNETTES if v.id == vignette_id)
    command = run_session(vignette, seed=0, phrasings=typed_sessions.phrasings)
    in_process = typed_sessions.of(vignette)
    assert command.error is None, f"{command.error}\n{_transcript(command)}"
    same = ("disposition", "causes", "red_flags", "questions", "retries", "turns", "end_reason",
            "outcome_text")
    assert {k: getattr(command, k) for k in same} == {k: getattr(in_process, k) for k in same}


def test_aggregate_targets(typed_sessions):
    typed_sessions.all(VIGNETTES)
    summary = summarize(VIGNETTES, typed_sessions.results)
    overall, causes, questions = summary["overall"], summary["causes"], summary["questions"]
    failing = ", ".join(r["id"] for r in summary["failures"]) or "none"
    assert overall["safe_pct"] >= TARGETS["safe_pct"], f"safe {overall['safe_pct']}%; failing: {failing}"
    assert summary["emergencies"]["sent"] == summary["emergencies"]["total"], (
        f"emergencies sent {summary['emergencies']}; failing: {failing}"
    )
    assert causes["found_pct"] >= TARGETS["cause_found_pct"], f"cause found {causes['found_pct']}%"
    assert questions["median"] is not None and questions["median"] <= TARGETS["median_questions"], (
        f"median questions {questions['median']}"
    )


def test_enough_vignettes_and_coverage():
    """At least 36 patients; every disposition level is expected somewhere."""
    assert len(VIGNETTES) >= 36
    assert {v.expect_disposition for v in VIGNETTES} == {"emergency", "urgent", "soon", "self_care"}


def _engine_run(vignette: Vignette, content):
    """The vignette's answers given straight to the engine (no wording): the answers it ends with."""
    from voice.triage.engine import READBACK_CONFIRM, Ask, Triage
    from voice.triage.model import Kind

    triage = Triage(content)
    step = triage.next_step()
    while isinstance(step, Ask):
        q = step.question
        if q.id == READBACK_CONFIRM:
            value: object = "yes"
        elif q.kind is Kind.NUMBER:
            value = vignette.numbers.get(q.findings[0], "unsure")
        elif q.kind is Kind.CHOICE:
            value = vignette.choices.get(q.findings[0], "unsure")
        elif any(f in vignette.yes for f in q.findings):
            value = "yes"
        elif any(f in vignette.unsure for f in q.findings):
            value = "unsure"
        else:
            value = "no"
        triage.answer(q.id, value)
        step = triage.next_step()
    return triage.answers, step


def test_every_red_flag_is_reached_by_a_test_patient(shipped):
    """Each red flag holds, on its own answers (not only by "not sure"), for at least one patient who
    ends at its level or higher: no rule that no path can reach. A rule that exists for its "not
    sure" (its `unsure_level` is its level, such as "not sure" to numbness down below asked on its
    own) is reached by a patient who is not sure."""
    reached: dict[str, list[str]] = {rule.id: [] for rule in shipped.red_flags}
    for vignette in VIGNETTES:
        answers, outcome = _engine_run(vignette, shipped)
        for rule in shipped.red_flags:
            by_unsure = (rule.unsure_level is rule.level
                         and rule.when.evaluate(answers, unsure_as_yes=True) is True)
            if rule.when.evaluate(answers) is True or by_unsure:
                assert outcome.disposition.rank >= rule.level.rank, (vignette.id, rule.id)
                reached[rule.id].append(vignette.id)
    missing = sorted(rule for rule, patients in reached.items() if not patients)
    assert not missing, f"red flags no test patient reaches: {missing}"
