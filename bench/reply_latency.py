"""Reply latency of Whisper sessions at real-time pace, alone (the benchmark's latency part, small).

`python -m bench.reply_latency [--turns 24] [--engine whisper] [--json FILE]`
`python -m bench.reply_latency --numbers`


The benchmark's real-time sessions (bench.sessions.run_latency_session: test patients answering
through the real command line, one WAV per question, at real-time pace) are run until `--turns`
replies have a `heard.latency_ms` (end of the person's speech to the first sample of the reply).
Prints the median and 90th percentile, over all turns and apart for number questions (where
Whisper's answer is taken unchecked only if PocketSphinx heard the same: the second ear) and the
others. It measures the code of the tree it is run from, so two versions can be compared
interleaved, in the same conditions, on a loaded machine.

`--numbers`: the number answers alone, where the second ear is asked (NUMBER_ANSWERS, 2 voices,
clean and in 10 dB babble), through one listener and the command line's recognizer at real-time
pace: the time from the end of speech to the recognizer's answer (the reply latency less the
dialog and the synthesis of the reply).
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

from voice.triage.loader import load_content

from .run import _latency_vignettes, whisper_model
from .scoring import median, percentile
from .sessions import run_latency_session

TURNS = 24
NUMBER_ANSWERS = (("age", "forty two"), ("age", "seventy eight"), ("age", "sixty three"), ("age", "fifteen"),
                  ("age", "fifty"), ("pain_score", "about six"), ("pain_score", "eight"),
                  ("pain_score", "three"))
NUMBER_VOICES = 2


def measure(engine: str, turns: int, seed: int = 0) -> dict:
    """Per-turn rows (question, its kind, what was heard, latency) until `turns` latencies."""
    kinds = {q.id: q.kind.value for q in load_content().questions.values()}
    model = whisper_model() if engine == "whisper" else None
    rows: list[dict] = []
    with tempfile.TemporaryDirectory(prefix="reply-latency-") as tmp:
        for vignette in _latency_vignettes():
            have = sum(r["latency_ms"] is not None for r in rows)
            if have >= turns:
                break
            session = run_latency_session(vignette, Path(tmp), engine, model, seed=seed,
                                          max_turns=turns - have + 2)
            if session.error:
                print(f"[reply_latency] {vignette.id}: {session.error}", file=sys.stderr)
            rows += [{"vignette": vignette.id, "question": h.question, "kind": kinds.get(h.question, ""),
                      "text": h.text, "confidence": h.confidence, "latency_ms": h.latency_ms}
                     for h in session.heard]
    return {"engine": engine, "rows": rows, **summary(rows)}


def measure_numbers() -> dict:
    """NUMBER_ANSWERS through one listener at real-time pace: end of speech to the recognizer's answer,
    and whether the second ear was asked."""
    import io
    import time

    from voice.speech.listening import AudioListener
    from voice.speech.scripted import ScriptedAudioSource
    from voice.understanding import Grammar

    from .testaudio import VOICES, answer_file
    from .understanding import recognizer_factory

    content, grammar = load_content(), Grammar.load()
    rec = recognizer_factory("whisper", whisper_model())()
    rows = []
    try:
        with tempfile.TemporaryDirectory(prefix="number-latency-") as tmp:
            for snr in (None, 10.0):
                for voice in VOICES[:NUMBER_VOICES]:
                    for n, (qid, text) in enumerate(NUMBER_ANSWERS):
                        path = answer_file(tmp, text, voice, snr_db=snr, seed=n)
                        expect = grammar.expectation(content.questions[qid])
                        listener = AudioListener(ScriptedAudioSource(io.StringIO(f"{path}\n")), rec)
                        utt = listener.listen(expect)
                        after = (time.monotonic() - utt.speech_end) * 1000 if utt.speech_end else None
                        consulted = getattr(rec, "consulted", {}) or {}
                        rows.append({"question": qid, "said": text, "snr_db": snr, "voice": voice.label,
                                     "heard": utt.text, "confidence": utt.confidence,
                                     "second_ear": bool(consulted.get("asked")),
                                     "latency_ms": None if after is None else round(after)})
    finally:
        rec.close()
    values = [r["latency_ms"] for r in rows if r["latency_ms"] is not None]
    asked = [r["latency_ms"] for r in rows if r["second_ear"] and r["latency_ms"] is not None]
    return {"rows": rows, "numbers": {"turns": len(values), "median": median(values),
                                      "p90": percentile(values, 90), "second_ear_turns": len(asked),
                                      "second_ear_median": median(asked)}}


def summary(rows: list[dict]) -> dict:
    """Median and 90th percentile over all turns with a latency, number questions and the rest."""
    out = {}
    for label, keep in (("all", lambda r: True), ("number", lambda r: r["kind"] == "number"),
                        ("other", lambda r: r["kind"] != "number")):
        values = [r["latency_ms"] for r in rows if r["latency_ms"] is not None and keep(r)]
        out[label] = {"turns": len(values), "median": median(values), "p90": percentile(values, 90)}
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.reply_latency",
                                     description=__doc__.split("\n\n")[0])
    parser.add_argument("--turns", type=int, default=TURNS, help=f"replies to measure (default {TURNS})")
    parser.add_argument("--engine", default="whisper", help="engine (default whisper)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the patients' answers (default 0)")
    parser.add_argument("--json", type=Path, help="also write the rows and figures to this file")
    parser.add_argument("--numbers", action="store_true",
                        help="number answers through one listener (Whisper): end of speech to the answer")
    args = parser.parse_args(argv)
    if args.numbers:
        result = measure_numbers()
        for row in result["rows"]:
            print(f"{row['latency_ms']!s:>6} ms  {row['said']:<14} {row['snr_db']!s:<5} {row['heard']!r} "
                  f"{row['confidence']} second ear {row['second_ear']}")
        s = result["numbers"]
        print(f"numbers turns {s['turns']:>3}  median {s['median']} ms  p90 {s['p90']} ms; with the second "
              f"ear asked: {s['second_ear_turns']} turns, median {s['second_ear_median']} ms")
        if args.json:
            args.json.write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
        return 0
    result = measure(args.engine, args.turns, args.seed)
    for row in result["rows"]:
        print(f"{row['latency_ms']!s:>6} ms  {row['kind']:<8} {row['question']:<28} {row['text']!r}")
    for label in ("all", "number", "other"):
        s = result[label]
        print(f"{label:<7} turns {s['turns']:>3}  median {s['median']} ms  p90 {s['p90']} ms")
    if args.json:
        args.json.write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
