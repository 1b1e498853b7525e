"""Spoken numbers: ages and pain scores said by several espeak-ng voices, clean and in 10 dB babble.

The set holds the -teen/-ty pairs ("fifteen" / "fifty"), "seventy eight" and "sixty three" (heard in
babble as "seven to eight" and "six three"), ages either side of the thresholds and pain scores. Each
answer goes through the assistant's own listening path (the command line's recognizer), its
understanding, and the dialog's rule for what is checked (`confirm_below`, unless both engines put
the number between the same thresholds, and voice.dialog.checks.number_doubtful). Every turn ends as:

- right: the right number, taken unchecked;
- right_checked: the right number, read back to the person ("I heard 78. Is that right?");
- wrong_checked: a wrong number, read back (the person says no and is asked again);
- nothing: no number understood (asked again);
- wrong_same_advice: a wrong number taken without a check, between the same thresholds as the right
  one, so the advice is the same (42 heard as 40);
- wrong_taken: a wrong number taken without a check that changes the advice: the error that matters
  (target 0).

`python -m bench.spoken_numbers [--voices N]` prints the counts and every wrong number taken.
"""

from __future__ import annotations

import io
import time
from pathlib import Path
from typing import Any

from voice.ports import CONFIRM_BELOW

SAID = (
    ("age", "seventy eight", 78), ("age", "sixty three", 63), ("age", "fifteen", 15), ("age", "fifty", 50),
    ("age", "thirteen", 13), ("age", "thirty", 30), ("age", "sixteen", 16), ("age", "sixty", 60),
    ("age", "I'm forty", 40), ("age", "fourteen", 14), ("age", "eighty five", 85), ("age", "forty two", 42),
    ("pain_score", "seven", 7), ("pain_score", "eight", 8), ("pain_score", "about three", 3),
    ("pain_score", "ten out of ten", 10),
)
VOICES = (0, 2, 5, 6)
"""Indices into bench.testaudio.VOICES; the default run takes the first DEFAULT_VOICES."""
DEFAULT_VOICES = 2
SNRS = (None, 10.0)
OUTCOMES = ("right", "right_checked", "wrong_checked", "nothing", "wrong_same_advice", "wrong_taken")


def measure_spoken_numbers(workdir: Path, engine: str, model: str | None = None, quick: bool = False,
                           voices: int = DEFAULT_VOICES) -> dict[str, Any]:
    """Counts of OUTCOMES per noise level, and every row."""
    from bench import testaudio as ta
    from voice.dialog.checks import number_doubtful, same_advice_heard_twice
    from voice.speech.listening import AudioListener
    from voice.speech.scripted import ScriptedAudioSource
    from voice.triage.engine import Triage
    from voice.triage.loader import load_content
    from voice.understanding import Grammar

    from .understanding import recognizer_factory

    content, grammar = load_content(), Grammar.load()
    triage = Triage(content)
    said = SAID[::4] if quick else SAID
    voice_ids = VOICES[:1] if quick else VOICES[:voices]
    workdir.mkdir(parents=True, exist_ok=True)
    rec = recognizer_factory(engine, model)()
    rows = []
    started = time.monotonic()
    try:
        for snr in SNRS:
            for v in voice_ids:
                for i, (qid, text, want) in enumerate(said):
                    question = content.questions[qid]
                    path = ta.answer_file(workdir, text, ta.VOICES[v], snr, seed=100 + i)
                    listener = AudioListener(ScriptedAudioSource(io.StringIO(f"{path}\n"), fast=True), rec)
                    utt = listener.listen(grammar.expectation(question))
                    meaning = grammar.understand(utt.text, question) if utt.text else None
                    got = meaning.answer if meaning is not None else None
                    if not isinstance(got, int):
                        outcome = "nothing"
                    else:
                        unsure = (utt.confidence or 0.0) < CONFIRM_BELOW
                        agreed = same_advice_heard_twice(grammar, triage, question, utt, meaning)
                        doubtful = number_doubtful(grammar, triage, question, utt, meaning)
                        checked = (unsure and not agreed) or doubtful
                        outcome = ("right" if got == want else "wrong") + ("_checked" if checked else "")
                        same = stretch(triage, question, got) == stretch(triage, question, want)
                        wrong = "wrong_same_advice" if same else "wrong_taken"
                        outcome = {"wrong": wrong}.get(outcome, outcome)
                    rows.append({"question": qid, "said": text, "want": want, "voice": ta.VOICES[v].label,
                                 "snr": snr, "heard": utt.text, "confidence": utt.confidence, "got": got,
                                 "outcome": outcome})
    finally:
        rec.close()
    counts = {("clean" if snr is None else f"{snr:g} dB"): {o: sum(r["outcome"] == o for r in rows
                                                                  if r["snr"] == snr) for o in OUTCOMES}
              for snr in SNRS}
    return {"engine": engine, "answers": len(rows), "voices": [ta.VOICES[v].label for v in voice_ids],
            "counts": counts, "seconds": round(time.monotonic() - started, 1), "rows": rows}


def stretch(triage, question, value: int) -> int:
    """Which stretch between the thresholds the content tests `value` falls in: two numbers in the
    same stretch give the same advice."""
    from bisect import bisect_right

    return bisect_right(triage.number_thresholds(question), value)


def spoken_numbers_tables(results: dict[str, Any]) -> list[str]:
    """The report's table (bench.report)."""
    runs = results.get("spoken_numbers")
    if not runs:
        return []
    out = ["### Spoken numbers: ages and pain scores, -teen/-ty pairs, clean and in 10 dB babble", "",
           "| engine | noise | answers | right | right, checked | wrong, checked | nothing understood "
           "| wrong, same advice, taken | **wrong, taken unchecked** |",
           "|---|---|---:|---:|---:|---:|---:|---:|---:|"]
    for label, r in runs.items():
        for noise, c in r["counts"].items():
            out.append(f"| {label} | {noise} | {sum(c.values())} | {c['right']} | {c['right_checked']} "
                       f"| {c['wrong_checked']} | {c['nothing']} | {c.get('wrong_same_advice', 0)} "
                       f"| {c['wrong_taken']} |")
    out.append("")
    for label, r in runs.items():
        for row in r["rows"]:
            if row["outcome"] in ("wrong_taken", "wrong_same_advice"):
                same = " (the same advice)" if row["outcome"] == "wrong_same_advice" else ""
                out.append(f"- {label}: {row['said']!r} ({row['voice']}, {row['snr'] or 'clean'}) heard "
                           f"{row['heard']!r} at {row['confidence']}: taken as {row['got']}{same}")
    out.append("")
    return out


def main(argv: list[str] | None = None) -> int:
    import argparse
    import json
    import tempfile

    from voice.speech.whisper_models import find_whisper_model

    parser = argparse.ArgumentParser(prog="python -m bench.spoken_numbers",
                                     description=__doc__.split("\n\n")[0])
    parser.add_argument("--voices", type=int, default=DEFAULT_VOICES, help=f"voices, 1-{len(VOICES)}")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="spoken-numbers-") as tmp:
        found = measure_spoken_numbers(Path(tmp), "whisper", str(find_whisper_model()), voices=args.voices)
    print(json.dumps({k: found[k] for k in ("engine", "answers", "voices", "counts", "seconds")}, indent=1))
    print("\n".join(spoken_numbers_tables({"spoken_numbers": {"Whisper (tiny.en)": found}})))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
