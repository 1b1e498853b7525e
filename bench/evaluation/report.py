"""Accuracy metrics over vignettes, and the printed markdown report.

Scored as triage tools are judged (clinical reference, "How triage tools are judged"): advice
is safe when it is the expected level or more urgent; exact matches, under-triage and
over-triage are counted apart; an emergency not sent to emergency care is the worst error.
"""

from __future__ import annotations

import statistics
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from .patient import PHRASINGS_FILE, SessionResult, load_phrasings, run_session
from .vignettes import DISPOSITIONS, Vignette, level_rank, load_vignettes

TARGETS = {
    "safe_pct": 97.0,
    "cause_found_pct": 90.0,
    "median_questions": 12,
}
"""Safe triage at least 97%, expected cause found at least 90%, every emergency sent to
emergency, median questions for non-emergency outcomes at most 12 (issue 24: the age bands, the leg
and clot signs and the cauda equina signs one by one cost a question)."""


def _pct(part: int, whole: int) -> float | None:
    return round(100.0 * part / whole, 1) if whole else None


def score(vignette: Vignette, result: SessionResult) -> dict[str, Any]:
    """Judge one session against its vignette."""
    expected, got = vignette.expect_disposition, result.disposition
    failed = result.error is not None or got is None
    diff = level_rank(got) - level_rank(expected)
    exact = not failed and diff == 0
    over = not failed and diff > 0
    under = not failed and diff < 0
    top3 = result.causes[:3]
    cause_top3 = vignette.expect_cause in top3
    cause_listed = vignette.expect_cause in result.causes
    # An emergency ends the dialog before cause questions: there the cause only has to be listed.
    cause_found = (cause_listed if got == "emergency" else cause_top3) and not failed
    why: list[str] = []
    if failed:
        why.append(f"session failed: {result.error or 'no outcome'}")
    else:
        if under:
            why.append(f"under-triage: {got} for an expected {expected}")
        if expected == "emergency" and got != "emergency":
            why.append("emergency not sent to emergency care")
        if not cause_found:
            where = "listed" if got == "emergency" else "in the top 3"
            why.append(f"cause {vignette.expect_cause} not {where}")
    return {
        "id": vignette.id,
        "expected_disposition": expected,
        "got_disposition": got,
        "expected_cause": vignette.expect_cause,
        "got_causes": list(result.causes),
        "red_flags": list(result.red_flags),
        "questions": result.questions,
        "exact": exact,
        "safe": exact or over,
        "under": under,
        "over": over,
        "error": failed,
        "cause_found": cause_found,
        "cause_top3": cause_top3 and not failed,
        "passed": not why,
        "why": why,
        "session": result.to_dict(),
    }


def summarize(
    vignettes: list[Vignette], results: dict[str, SessionResult] | list[SessionResult]
) -> dict[str, Any]:
    """Metrics over every vignette (a vignette without a result counts as a failed session)."""
    if not isinstance(results, dict):
        results = {r.vignette: r for r in results}
    rows = [score(v, results.get(v.id) or SessionResult(vignette=v.id, error="not run")) for v in vignettes]
    n = len(rows)
    levels: dict[str, dict[str, int]] = {}
    for level in DISPOSITIONS:
        mine = [r for r in rows if r["expected_disposition"] == level]
        levels[level] = {
            key: sum(1 for r in mine if r[key]) for key in ("exact", "safe", "under", "over", "error")
        }
        levels[level] = {"count": len(mine), **levels[level]}
    totals = {key: sum(1 for r in rows if r[key]) for key in ("exact", "safe", "under", "over", "error")}
    emergencies = [r for r in rows if r["expected_disposition"] == "emergency"]
    sent = sum(1 for r in emergencies if r["got_disposition"] == "emergency" and not r["error"])
    found = sum(1 for r in rows if r["cause_found"])
    top3 = sum(1 for r in rows if r["cause_top3"])
    asked = [r["questions"] for r in rows if not r["error"] and r["got_disposition"] != "emergency"]
    median_q = statistics.median(asked) if asked else None
    max_q = max(asked) if asked else None
    # Words said at once, before the offer of more (the outcome event's `first`): about 60.
    first = [len(str(r["session"].get("outcome_first") or "").split()) for r in rows
             if not r["error"] and r["session"].get("outcome_first")]

    targets = {
        "safe": {
            "target": f">= {TARGETS['safe_pct']:g}%",
            "value": _pct(totals["safe"], n),
            "met": n > 0 and 100.0 * totals["safe"] / n >= TARGETS["safe_pct"],
        },
        "emergencies": {
            "target": "all",
            "value": f"{sent}/{len(emergencies)}",
            "met": sent == len(emergencies),
        },
        "cause_found": {
            "target": f">= {TARGETS['cause_found_pct']:g}%",
            "value": _pct(found, n),
            "met": n > 0 and 100.0 * found / n >= TARGETS["cause_found_pct"],
        },
        "median_questions": {
            "target": f"<= {TARGETS['median_questions']}",
            "value": median_q,
            "met": median_q is not None and median_q <= TARGETS["median_questions"],
        },
    }
    misheard: dict[str, int] = {}
    for r in rows:
        for turn in r["session"]["turns"]:
            if "heard" in turn and turn["heard"] is None and not turn.get("command"):
                misheard[turn["said"]] = misheard.get(turn["said"], 0) + 1
    return {
        "count": n,
        "retries": sum(r["session"]["retries"] for r in rows),
        "not_understood": dict(sorted(misheard.items(), key=lambda kv: (-kv[1], kv[0]))),
        "levels": levels,
        "overall": {
            **totals,
            "exact_pct": _pct(totals["exact"], n),
            "safe_pct": _pct(totals["safe"], n),
            "under_pct": _pct(totals["under"], n),
            "over_pct": _pct(totals["over"], n),
            "error_pct": _pct(totals["error"], n),
        },
        "emergencies": {"sent": sent, "total": len(emergencies)},
        "causes": {
            "found": found,
            "found_pct": _pct(found, n),
            "top3": top3,
            "top3_pct": _pct(top3, n),
            "total": n,
        },
        "questions": {"median": median_q, "max": max_q, "sessions": len(asked)},
        "first_words": {"median": statistics.median(first) if first else None,
                        "max": max(first) if first else None, "over_60": sum(1 for w in first if w > 60)},
        "targets": targets,
        "met": all(t["met"] for t in targets.values()),
        "failures": [r for r in rows if not r["passed"]],
        "over_triaged": [r for r in rows if r["over"]],
        "vignettes": rows,
    }


def evaluate(
    vignette_dir: Path | str | None = None,
    content_dir: Path | str | None = None,
    seed: int = 0,
    jobs: int = 4,
    in_process: bool = False,
) -> dict[str, Any]:
    """Drive every vignette through the real session and return the metrics (JSON-ready).
    `in_process`: the command's own session in this process, one at a time (bench.in_process;
    tests/test_vignettes.py checks it gives the command's sessions), without each command's start-up."""
    vignettes = load_vignettes(vignette_dir)
    folder = Path(vignettes[0].path).parent
    own = folder / PHRASINGS_FILE
    phrasings = load_phrasings(own if own.is_file() else None)

    def one(v: Vignette) -> SessionResult:
        return run_session(v, content_dir=content_dir, seed=seed, phrasings=phrasings, in_process=in_process)

    with ThreadPoolExecutor(max_workers=1 if in_process else max(1, jobs)) as pool:
        results = list(pool.map(one, vignettes))
    summary = summarize(vignettes, results)
    summary.update(
        seed=seed,
        content_dir=str(content_dir) if content_dir is not None else None,
        vignette_dir=str(folder),
    )
    return summary


def _fmt(value: Any, suffix: str = "") -> str:
    return (
        "n/a" if value is None else f"{value:g}{suffix}" if isinstance(value, float) else f"{value}{suffix}"
    )


def format_report(summary: dict[str, Any]) -> str:
    """The summary as markdown tables."""
    out: list[str] = []
    o = summary["overall"]
    out.append(f"## Triage accuracy ({summary['count']} vignettes)")
    out.append("")
    out.append("| expected | count | exact | safe | under-triage | over-triage | failed sessions |")
    out.append("|---|---:|---:|---:|---:|---:|---:|")
    for level in DISPOSITIONS:
        row = summary["levels"][level]
        out.append(
            f"| {level} | {row['count']} | {row['exact']} | {row['safe']} | {row['under']} "
            f"| {row['over']} | {row['error']} |"
        )
    out.append(
        f"| **all** | {summary['count']} | {o['exact']} ({_fmt(o['exact_pct'], '%')}) "
        f"| {o['safe']} ({_fmt(o['safe_pct'], '%')}) | {o['under']} ({_fmt(o['under_pct'], '%')}) "
        f"| {o['over']} ({_fmt(o['over_pct'], '%')}) | {o['error']} ({_fmt(o['error_pct'], '%')}) |"
    )
    out.append("")
    e, c, q = summary["emergencies"], summary["causes"], summary["questions"]
    t = summary["targets"]
    out.append("| measure | value | target | met |")
    out.append("|---|---:|---:|:---:|")
    out.append(
        f"| safe triage (right level or more urgent) | {_fmt(o['safe_pct'], '%')} "
        f"| {t['safe']['target']} | {'yes' if t['safe']['met'] else 'NO'} |"
    )
    out.append(
        f"| emergencies sent to emergency | {e['sent']}/{e['total']} | all "
        f"| {'yes' if t['emergencies']['met'] else 'NO'} |"
    )
    out.append(
        f"| expected cause found (top 3; listed for emergency outcomes) "
        f"| {_fmt(c['found_pct'], '%')} | {t['cause_found']['target']} "
        f"| {'yes' if t['cause_found']['met'] else 'NO'} |"
    )
    out.append(f"| expected cause in top 3 (every outcome) | {_fmt(c['top3_pct'], '%')} | | |")
    out.append(
        f"| median questions, non-emergency outcomes | {_fmt(q['median'])} "
        f"| {t['median_questions']['target']} | {'yes' if t['median_questions']['met'] else 'NO'} |"
    )
    out.append(f"| max questions, non-emergency outcomes | {_fmt(q['max'])} | | |")
    w = summary.get("first_words") or {}
    if w.get("median") is not None:
        out.append(f"| words said before the offer of more (median / max; over 60) | {_fmt(w['median'])} / "
                   f"{_fmt(w['max'])}; {w['over_60']} | about 60 | |")
    out.append(f"| exact level | {_fmt(o['exact_pct'], '%')} | | |")
    out.append(f"| under-triage | {_fmt(o['under_pct'], '%')} | | |")
    out.append(f"| over-triage | {_fmt(o['over_pct'], '%')} | | |")
    out.append("")
    failures = summary["failures"]
    out.append(f"### Failing vignettes ({len(failures)})")
    out.append("")
    if failures:
        out.append("| vignette | expected | got | expected cause | got causes (top 3) | why |")
        out.append("|---|---|---|---|---|---|")
        for r in failures:
            out.append(
                f"| {r['id']} | {r['expected_disposition']} | {r['got_disposition'] or '-'} "
                f"| {r['expected_cause']} | {', '.join(r['got_causes'][:3]) or '-'} "
                f"| {'; '.join(r['why'])} |"
            )
    else:
        out.append("None.")
    over = summary["over_triaged"]
    if over:
        out.append("")
        out.append(f"### Over-triaged, safe ({len(over)})")
        out.append("")
        out.append("| vignette | expected | got | red flags |")
        out.append("|---|---|---|---|")
        for r in over:
            out.append(
                f"| {r['id']} | {r['expected_disposition']} | {r['got_disposition']} "
                f"| {', '.join(r['red_flags']) or '-'} |"
            )
    misheard = summary.get("not_understood") or {}
    if misheard:
        out.append("")
        out.append(
            f"### Patient answers the session did not understand ({summary.get('retries', 0)} retries)"
        )
        out.append("")
        out.append(", ".join(f'"{text}" x{count}' for text, count in misheard.items()))
    out.append("")
    out.append(f"Targets {'met' if summary['met'] else 'MISSED'}.")
    return "\n".join(out)
