"""`python -m bench [--quick] [--out results] [--seed 0] [--engines pocketsphinx,vosk,whisper] [--answers N]`.

Measures answer understanding under babble (ours against a naive open-vocabulary peer), reply
latency, start-up time and memory through the real command line, text-to-speech time, and triage
accuracy on the test patients. Prints the markdown tables and writes, into the output folder,
README.md (tables and settings), results.json (raw figures), accuracy_snr.png and latency.png.
Exits 0 when it measured, 2 when it could not run at all.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import tempfile
import time
from pathlib import Path

from voice.errors import TriageError

from .machine import code_version, machine_info, package_versions
from .plots import plot_accuracy, plot_latency
from .report import markdown


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n\n")[1])
    parser.add_argument(
        "--quick", action="store_true", help="a small run (well under a minute), for the tests"
    )
    parser.add_argument(
        "--out", type=Path, default=Path("results"), help="folder for the results (default results)"
    )
    parser.add_argument("--seed", type=int, default=0, help="seed of the corpus and the patients (default 0)")
    parser.add_argument(
        "--engines",
        default="pocketsphinx,vosk,whisper",
        help="comma-separated engines to measure (default pocketsphinx,vosk,whisper)",
    )
    parser.add_argument(
        "--answers", type=int, default=None, metavar="N",
        help="measure understanding on N English answers spread over the corpus (default all)",
    )
    parser.add_argument(
        "--levels", default=None, metavar="LEVELS",
        help="comma-separated noise levels of the understanding part: clean and/or SNRs in dB "
        "(default clean,20,10,5,0)",
    )
    parser.add_argument("--jobs", type=int, default=2, help="parallel workers for decoding (default 2)")
    parser.add_argument(
        "--skip",
        default="",
        help="comma-separated parts to skip: understanding,real,latency,startup,tts,sessions,babble,numbers,"
        "triage",
    )
    return parser.parse_args(argv)


def parse_levels(text: str | None) -> tuple[float | None, ...] | None:
    """`clean,10` as the levels (None: clean, 10.0); None for every level of the corpus."""
    if not text:
        return None
    levels: list[float | None] = []
    for part in (p.strip().lower() for p in text.split(",") if p.strip()):
        if part == "clean":
            levels.append(None)
            continue
        try:
            levels.append(float(part.removesuffix("db").strip()))
        except ValueError:
            raise ValueError(f"--levels: {part!r} is no level; write clean or an SNR in dB, "
                             "e.g. clean,10") from None
    return tuple(levels)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    logging.basicConfig(
        level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s", stream=sys.stderr
    )
    engines = [e.strip() for e in args.engines.split(",") if e.strip()]
    unknown = [e for e in engines if e not in ("pocketsphinx", "vosk", "whisper")]
    if unknown:
        print(f"error: unknown engine {unknown[0]!r}; use pocketsphinx, vosk and/or whisper", file=sys.stderr)
        return 2
    skip = {s.strip() for s in args.skip.split(",") if s.strip()}
    try:
        levels = parse_levels(args.levels)
    except ValueError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    started = time.monotonic()
    try:
        from .run import run_all

        with tempfile.TemporaryDirectory(prefix="voice-bench-") as tmp:
            results = run_all(
                Path(tmp), engines=engines, seed=args.seed, quick=args.quick, jobs=args.jobs, skip=skip,
                answers=args.answers, levels=levels,
            )
    except TriageError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    results["run_seconds"] = round(time.monotonic() - started, 1)
    command = (
        "python -m bench"
        + (" --quick" if args.quick else "")
        + f" --out {args.out} --seed {args.seed}"
        + f" --engines {','.join(engines)}"
        + (f" --answers {args.answers}" if args.answers else "")
        + (f" --levels {args.levels}" if args.levels else "")
        + (f" --jobs {args.jobs}" if args.jobs != 2 else "")
        + (f" --skip {','.join(sorted(skip))}" if skip else "")
    )
    results["settings"].update(
        command=command,
        seed=args.seed,
        quick=args.quick,
        jobs=args.jobs,
        answers=args.answers,
        machine=machine_info(),
        packages=package_versions(),
        code=code_version(),
    )
    out = args.out
    out.mkdir(parents=True, exist_ok=True)
    text = markdown(results)
    (out / "README.md").write_text(text + "\n", encoding="utf-8")
    (out / "results.json").write_text(
        json.dumps(results, indent=1, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    plot_accuracy(results, out / "accuracy_snr.png")
    plot_latency(results, out / "latency.png")
    print(text)
    print(
        f"\nwrote {out / 'README.md'}, results.json, accuracy_snr.png, latency.png "
        f"in {results['run_seconds']} s",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
