"""Real voices: people saying single digits, as answers to the pain score question.

Every other English answer in the benchmark is synthesized by espeak-ng. These are human
recordings (tests/data/spoken-digits: 3 speakers, 5 takes of each digit, from the Free Spoken
Digit Dataset, CC BY-SA 4.0), recorded at 8 kHz as by a cheap microphone or a phone line, so the
listener resamples them as it would such a device. A bare digit is also the commonest answer to
"how bad is the pain, from 0 to 10?" and the shortest kind of answer there is.

Each clip gets half a second of quiet before and after it (the files are trimmed close to the
speech; a microphone always hears the room before a person speaks), then goes through the
assistant's own path: one `AudioListener` on a `ScriptedAudioSource` (kept from clip to clip, as
in a session), the question's grammar, `Grammar.understand`. The naive peer transcribes the same
padded clip with its open vocabulary and spots keywords (voice.bench.naive).
"""

from __future__ import annotations

import io
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np

from voice.speech.audio import float_to_int16, read_wav_raw, to_mono, write_wav

from .naive import naive_meaning

DIGITS_DIR = Path(__file__).resolve().parents[2] / "tests" / "data" / "spoken-digits"
"""The recordings, named {digit}_{speaker}_{take}.wav."""
QUESTION = "pain_score"
PAD_S = 0.5
"""Seconds of quiet added before and after each clip."""


def clips(folder: Path = DIGITS_DIR, quick: bool = False) -> list[tuple[Path, int, str]]:
    """(path, digit, speaker) of every recording (--quick: the first take of each digit by one
    speaker)."""
    out = []
    for path in sorted(folder.glob("*.wav")):
        digit, speaker, take = path.stem.split("_")
        if quick and (speaker != "jackson" or take != "0"):
            continue
        out.append((path, int(digit), speaker))
    return out


def _padded(path: Path, out: Path) -> Path:
    """The clip with PAD_S of quiet each side, written at its own sample rate."""
    x, info = read_wav_raw(path)
    pcm = float_to_int16(to_mono(x))
    pad = np.zeros(int(PAD_S * info.rate), dtype=np.int16)
    target = out / path.name
    write_wav(target, np.concatenate([pad, pcm, pad]), info.rate)
    return target


def measure_real_voices(content, grammar, workdir: Path, folder: Path = DIGITS_DIR,
                        quick: bool = False, naive: bool = True) -> dict[str, Any] | None:
    """Right, wrong (and wrong but confident), and not understood, ours and (with `naive`) the naive
    peer's, per speaker; None when the recordings are not there."""
    from voice.speech.listening import AudioListener
    from voice.speech.pocketsphinx import PocketSphinxRecognizer
    from voice.speech.scripted import ScriptedAudioSource

    found = clips(folder, quick)
    if not found:
        return None
    workdir.mkdir(parents=True, exist_ok=True)
    rate = read_wav_raw(found[0][0])[1].rate
    paths = [_padded(path, workdir) for path, _, _ in found]
    question = content.questions[QUESTION]
    expect = grammar.expectation(question)
    ours_rec, naive_rec = PocketSphinxRecognizer(), PocketSphinxRecognizer()
    listener = AudioListener(ScriptedAudioSource(io.StringIO("".join(f"{p}\n" for p in paths)), fast=True),
                             ours_rec)
    rows = []
    try:
        for (path, digit, speaker), padded in zip(found, paths, strict=True):
            utt = listener.listen(expect)
            meaning = grammar.understand(utt.text, question) if utt.text else None
            ours = None if meaning is None else (f"command:{meaning.command}" if meaning.command
                                                  else str(meaning.answer))
            naive_text = naive_rec.decode(_at_16k(padded), None).text if naive else None
            rows.append({
                "clip": path.name, "speaker": speaker, "expected": str(digit),
                "ours_text": utt.text, "ours": ours, "confidence": utt.confidence,
                "naive_text": naive_text, "naive": naive_meaning(naive_text, "number"),
            })
    finally:
        listener.source.close()
        ours_rec.close()
        naive_rec.close()
    return {
        "source": "Free Spoken Digit Dataset (CC BY-SA 4.0), tests/data/spoken-digits",
        "clips": len(rows),
        "speakers": sorted({r["speaker"] for r in rows}),
        "rate_hz": rate,
        "question": QUESTION,
        "ours": _counts(rows, "ours"),
        "naive": _counts(rows, "naive") if naive else None,
        "by_speaker": {s: _counts([r for r in rows if r["speaker"] == s], "ours")
                       for s in sorted({r["speaker"] for r in rows})},
        "heard_instead": dict(Counter(r["ours_text"] for r in rows
                                      if r["ours"] not in (None, r["expected"])).most_common(8)),
        "rows": rows,
    }


def _at_16k(path: Path) -> np.ndarray:
    from voice.speech.audio import RATE, read_wav

    return read_wav(path, RATE)


def _counts(rows: list[dict[str, Any]], key: str) -> dict[str, Any]:
    n = len(rows)
    right = sum(r[key] == r["expected"] for r in rows)
    rejected = sum(r[key] is None for r in rows)
    wrong = n - right - rejected
    confident_wrong = sum(
        1 for r in rows
        if key == "ours" and r[key] not in (None, r["expected"]) and (r["confidence"] or 0) >= 0.55
    )
    return {
        "n": n,
        "correct": right,
        "wrong": wrong,
        "wrong_confident": confident_wrong if key == "ours" else None,
        "rejected": rejected,
        "accuracy": round(100.0 * right / n, 1) if n else None,
    }
