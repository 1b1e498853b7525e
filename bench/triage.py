"""Triage accuracy on the test patients (tests/vignettes), through the real text session."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from bench.evaluation.report import evaluate
from bench.evaluation.vignettes import DEFAULT_VIGNETTE_DIR


def measure_triage(
    seed: int = 0,
    jobs: int = 2,
    vignette_dir: Path | None = None,
    content_dir: Path | None = None,
    limit: int | None = None,
) -> dict[str, Any]:
    """bench.evaluation's metrics for every vignette (or `limit` of them, spread), plus the time taken.

    `limit` copies every n-th vignette (and the phrasings file) to a temporary folder: `--quick`.
    """
    folder = Path(vignette_dir or DEFAULT_VIGNETTE_DIR)
    started = time.monotonic()
    if limit is None:
        summary = evaluate(folder, content_dir=content_dir, seed=seed, jobs=jobs)
    else:
        import shutil
        import tempfile

        with tempfile.TemporaryDirectory(prefix="bench-vignettes-") as tmp:
            files = sorted(p for p in folder.rglob("*.yaml") if not p.name.startswith("_"))
            files = files[:: max(1, len(files) // limit)][:limit]  # spread over the dispositions
            for p in [*files, *folder.glob("_*.yaml")]:
                shutil.copy(p, tmp)
            summary = evaluate(tmp, content_dir=content_dir, seed=seed, jobs=jobs)
            summary["vignette_dir"] = f"{folder} ({limit} of them)"
    summary["seconds"] = round(time.monotonic() - started, 1)
    return summary


def triage_rows(summary: dict[str, Any]) -> list[dict[str, Any]]:
    """One row per expected disposition level, then all: count, exact, safe, under, over."""
    rows = []
    for level, row in summary["levels"].items():
        rows.append({"level": level, **row})
    o = summary["overall"]
    rows.append(
        {
            "level": "all",
            "count": summary["count"],
            **{k: o[k] for k in ("exact", "safe", "under", "over", "error")},
        }
    )
    return rows
