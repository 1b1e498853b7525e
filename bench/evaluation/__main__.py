"""`python -m bench.evaluation [--content DIR] [--vignettes DIR]`: print the accuracy report.

Exits 0 when every target is met, 1 when one is missed, 2 when the vignettes cannot be loaded.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from voice.errors import TriageError

from .report import evaluate, format_report
from .vignettes import DEFAULT_VIGNETTE_DIR


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.evaluation",
        description="Drive every test patient through the real text session and report accuracy.",
    )
    parser.add_argument("--content", type=Path, default=None, help="content folder passed to the session")
    parser.add_argument(
        "--vignettes", type=Path, default=DEFAULT_VIGNETTE_DIR, help="folder of vignette YAML files"
    )
    parser.add_argument("--seed", type=int, default=0, help="seed of the patients' wording (default 0)")
    parser.add_argument("--jobs", type=int, default=4, help="sessions run at once (default 4)")
    parser.add_argument("--json", type=Path, default=None, help="also write the full results here")
    parser.add_argument("--in-process", action="store_true",
                        help="run the command's session inside this process, one at a time (much faster)")
    args = parser.parse_args(argv)
    try:
        summary = evaluate(args.vignettes, content_dir=args.content, seed=args.seed, jobs=args.jobs,
                           in_process=args.in_process)
    except TriageError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    print(format_report(summary))
    if args.json is not None:
        args.json.write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
    return 0 if summary["met"] else 1


if __name__ == "__main__":
    sys.exit(main())
