"""Babble alone: what the assistant makes of a turn in which nobody answers but the waiting room talks.

Segments of 5-talker babble (no answer in them) go through the assistant's own listening path, one
listener per segment, on a red-flag yes/no question, the pain score, the age and the duration. Each
segment ends as nothing taken (the question is asked again), a guess the person is asked to confirm
("I heard no. Is that right?"), made by the first engine or by Whisper's second opinion
(voice/speech/second_opinion.py), or an answer taken without a check: the error that matters. A
number both engines put between the same thresholds counts as taken unless the dialog checks it for
another reading of its words (voice.dialog.checks: `same_advice_heard_twice`, `number_doubtful`).
"""

from __future__ import annotations

import io
import time
from pathlib import Path
from typing import Any

from voice.ports import CONFIRM_BELOW

QUESTIONS = ("ces_screen", "pain_score", "age", "duration")
SEGMENTS = 20
QUICK_SEGMENTS = 1
SECONDS = 2.5
OUTCOMES = ("nothing", "checked_first", "checked_second", "taken")


def measure_babble_alone(content, grammar, workdir: Path, engine: str, model: str | None = None,
                         quick: bool = False, segments: int | None = None) -> dict[str, Any]:
    """Counts of OUTCOMES per question over babble-only segments, and every row."""
    from bench.testaudio import babble, write_wav_file
    from voice.dialog.checks import number_doubtful, same_advice_heard_twice
    from voice.speech.listening import AudioListener
    from voice.speech.scripted import ScriptedAudioSource
    from voice.triage.engine import Triage

    from .understanding import recognizer_factory

    workdir.mkdir(parents=True, exist_ok=True)
    segments = segments or (QUICK_SEGMENTS if quick else SEGMENTS)
    paths = [write_wav_file(workdir / f"babble-{seed}.wav", babble(SECONDS, seed))
             for seed in range(1, segments + 1)]
    triage = Triage(content)
    rec = recognizer_factory(engine, model)()
    rows = []
    started = time.monotonic()
    try:
        for qid in QUESTIONS:
            question = content.questions[qid]
            guard = "yes" if triage.is_red_flag_question(question) else None
            expect = grammar.expectation(question, guard=guard)
            for seed, path in enumerate(paths, start=1):
                listener = AudioListener(ScriptedAudioSource(io.StringIO(f"{path}\n"), fast=True), rec)
                utt = listener.listen(expect)
                meaning = grammar.understand(utt.text, question) if utt.text else None
                consulted = getattr(rec, "consulted", None) or {}
                if meaning is None:
                    outcome = "nothing"
                elif (utt.confidence or 0.0) >= CONFIRM_BELOW or (
                        same_advice_heard_twice(grammar, triage, question, utt, meaning)
                        and not number_doubtful(grammar, triage, question, utt, meaning)):
                    outcome = "taken"
                elif consulted.get("asked") and utt.text == consulted.get("second"):
                    outcome = "checked_second"
                else:
                    outcome = "checked_first"
                rows.append({"question": qid, "seed": seed, "text": utt.text, "confidence": utt.confidence,
                             "outcome": outcome})
    finally:
        rec.close()
    counts = {o: sum(r["outcome"] == o for r in rows) for o in OUTCOMES}
    by_question = {q: {o: sum(r["outcome"] == o for r in rows if r["question"] == q) for o in OUTCOMES}
                   for q in QUESTIONS}
    return {"engine": engine, "segments": len(rows), "seconds_each": SECONDS, "counts": counts,
            "by_question": by_question, "seconds": round(time.monotonic() - started, 1), "rows": rows}


def main(argv: list[str] | None = None) -> int:
    """`python -m bench.babble_alone [--segments N]`: Whisper's counts, and every turn taken unchecked."""
    import argparse
    import json
    import tempfile

    from voice.speech.whisper_models import find_whisper_model
    from voice.triage.loader import load_content
    from voice.understanding import Grammar

    parser = argparse.ArgumentParser(prog="python -m bench.babble_alone",
                                     description=__doc__.split("\n\n")[0])
    parser.add_argument("--segments", type=int, default=SEGMENTS, help=f"segments (default {SEGMENTS})")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="babble-alone-") as tmp:
        found = measure_babble_alone(load_content(), Grammar.load(), Path(tmp), "whisper",
                                     str(find_whisper_model()), segments=args.segments)
    keys = ("engine", "segments", "counts", "by_question", "seconds")
    print(json.dumps({k: found[k] for k in keys}, indent=1))
    for row in found["rows"]:
        if row["outcome"] == "taken":
            print("taken:", row)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
