"""Whole spoken sessions in waiting-room babble, by voices no test tunes on.

Each chosen test patient (tests/vignettes/) answers through the real command line
(`python -m voice --audio-in - --fast --engine E`), every answer spoken by a held-out voice
(bench.testaudio.HELD_OUT_VOICES: Festival's ked_diphone and espeak-ng variants the tests do
not use) and mixed into 10 dB babble; the advice level reached is compared with the same patient
typing. Under-triage (a less urgent level than typed) is counted apart: it is the error that
matters.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any

from voice.triage.model import Disposition

SESSION_VIGNETTES = (
    "ces_saddle_numbness", "ces_bladder", "disc_after_lifting", "hip_arthritis_socks", "piriformis_runner",
    "unsure_fever", "older_new_back_pain_gardening", "aneurysm_faint",
)
QUICK_VIGNETTES = ("ces_saddle_numbness",)
LATER_ROUNDS = frozenset(f"round_{n}" for n in range(5, 100))
"""Folders of tests/vignettes/ the random draw leaves out: the blind rounds added after issue 27's
figures were first measured (the draw would otherwise pick other people)."""
SNR_DB = 10.0


def measure_babble_sessions(workdir: Path, engine: str, model: str | None = None, seed: int = 0,
                            quick: bool = False, snr_db: float | None = SNR_DB,
                            ids: tuple[str, ...] | None = None) -> dict[str, Any]:
    """Spoken sessions of the chosen patients (or `ids`) in babble against the same patients typing."""
    from bench.evaluation.patient import load_phrasings, run_session
    from bench.evaluation.vignettes import load_vignettes
    from bench.testaudio import HELD_OUT_VOICES, answer_file

    vignettes = {v.id: v for v in load_vignettes()}
    ids = ids or (QUICK_VIGNETTES if quick else SESSION_VIGNETTES)
    chosen = [vignettes[i] for i in ids if i in vignettes]
    phrasings = load_phrasings()
    rows = []
    started = time.monotonic()
    for n, vignette in enumerate(chosen):
        voice = HELD_OUT_VOICES[n % len(HELD_OUT_VOICES)]
        typed = run_session(vignette, seed=seed, phrasings=phrasings)
        folder = workdir / f"{engine}-{vignette.id}"
        count = [0]

        def speak(text: str, folder: Path = folder, voice=voice, count=count) -> str:
            count[0] += 1
            return str(answer_file(folder / "answers", text, voice, snr_db=snr_db, seed=count[0]))

        command = ([sys.executable, "-m", "voice", "--audio-in", "-", "--fast", "--audio-out",
                    str(folder / "said"), "--jsonl", "--engine", engine]
                   + (["--model", model] if model else []))
        spoken = run_session(vignette, seed=seed, phrasings=phrasings, command=command, speak=speak,
                             timeout=600)
        under = (spoken.disposition is not None and typed.disposition is not None
                 and Disposition(spoken.disposition).rank < Disposition(typed.disposition).rank)
        rows.append({
            "vignette": vignette.id, "voice": voice.label, "typed": typed.disposition,
            "spoken": spoken.disposition, "same": spoken.disposition == typed.disposition,
            "under_triage": under or spoken.disposition is None, "questions": spoken.questions,
            "retries": spoken.retries, "error": spoken.error, "seconds": round(spoken.seconds, 1),
            "heard": [{k: t.get(k) for k in ("question", "said", "heard", "words", "confidence", "retry")}
                      for t in spoken.turns],
        })
    return {
        "engine": engine,
        "snr_db": snr_db,
        "sessions": len(rows),
        "same_level": sum(r["same"] for r in rows),
        "under_triage": sum(r["under_triage"] for r in rows),
        "emergencies": sum(r["typed"] == "emergency" for r in rows),
        "emergencies_reached": sum(r["typed"] == "emergency" and r["spoken"] == "emergency" for r in rows),
        "seconds": round(time.monotonic() - started, 1),
        "rows": rows,
    }


def main(argv: list[str] | None = None) -> int:
    """`python -m bench.babble_sessions [--more N] [--draw SEED]`: the chosen patients' sessions with
    Whisper, and N more test patients drawn at random, against the issue's targets."""
    import argparse
    import random
    import statistics
    import tempfile

    from bench.evaluation.vignettes import load_vignettes

    parser = argparse.ArgumentParser(prog="python -m bench.babble_sessions",
                                     description=__doc__.split("\n\n")[0])
    parser.add_argument("--more", type=int, default=0, help="more test patients, drawn at random (default 0)")
    parser.add_argument("--draw", type=int, default=27, help="seed of the draw (default 27)")
    parser.add_argument("--json", type=Path, help="also write every turn (said, heard) to this file")
    args = parser.parse_args(argv)
    # Drawn from the patients of rounds 1 to 4 and the hand-written ones, as every earlier figure of
    # issue 27 was, so the same draw is the same people whatever rounds are added later.
    others = [v.id for v in load_vignettes() if v.id not in SESSION_VIGNETTES
              and Path(v.path).parent.name not in LATER_ROUNDS]
    random.Random(args.draw).shuffle(others)
    with tempfile.TemporaryDirectory(prefix="babble-sessions-") as tmp:
        found = measure_babble_sessions(Path(tmp), "whisper", ids=(*SESSION_VIGNETTES, *others[: args.more]))
    rows = found["rows"]
    if args.json:
        import json

        args.json.write_text(json.dumps(found, indent=1))
    for r in rows:
        print(f"{r['vignette']:<32} {r['voice']:<32} typed {r['typed']!s:<10} spoken {r['spoken']!s:<10} "
              f"questions {r['questions']:>2}" + (f"  error: {r['error']}" if r["error"] else ""))
    over = sum(r["spoken"] is not None and r["typed"] is not None
               and Disposition(r["spoken"]).rank > Disposition(r["typed"]).rank for r in rows)
    print(f"{len(rows)} sessions: {found['same_level']} at the typed level (target 95%), {over} more urgent "
          f"(target no more than 2 in 40), {found['under_triage']} less urgent or no outcome, emergencies "
          f"{found['emergencies_reached']} of {found['emergencies']}, median questions "
          f"{statistics.median(r['questions'] for r in rows)} (target 12 or fewer)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
