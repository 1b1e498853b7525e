"""Accuracy evaluation: test patients (vignettes) driven through the real session.

`python -m bench.evaluation` runs every vignette of tests/vignettes/ through
`python -m voice --text --jsonl` and prints the triage and cause accuracy report.
"""

from .patient import SessionResult, SimulatedPatient, load_phrasings, run_session
from .report import evaluate, format_report, summarize
from .vignettes import Vignette, VignetteError, load_vignette, load_vignettes

__all__ = [
    "SessionResult",
    "SimulatedPatient",
    "Vignette",
    "VignetteError",
    "evaluate",
    "format_report",
    "load_phrasings",
    "load_vignette",
    "load_vignettes",
    "run_session",
    "summarize",
]
