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
padded clip with its open vocabulary and spots keywords (bench.naive).
"""

from __future__ import annotations

import io
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np

from voice.ports import CONFIRM_BELOW
from voice.speech.audio import float_to_int16, read_wav_raw, to_mono, write_wav

from .naive import naive_meaning

DIGITS_DIR = Path(__file__).resolve().parents[1] / "tests" / "data" / "spoken-digits"
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
        if key == "ours" and r[key] not in (None, r["expected"]) and (r["confidence"] or 0) >= CONFIRM_BELOW
    )
    return {
        "n": n,
        "correct": right,
        "wrong": wrong,
        "wrong_confident": confident_wrong if key == "ours" else None,
        "rejected": rejected,
        "accuracy": round(100.0 * right / n, 1) if n else None,
    }


# ---------------------------------------------------------------- spoken words (Speech Commands)

WORDS_DIRS = (Path(__file__).resolve().parents[1] / ".." / "shared" / "speech" / "spoken-words",
              Path(__file__).resolve().parents[1] / "tests" / "data" / "spoken-words")
"""All the recordings (about 90 speakers; beside the project, as ../shared/speech), else the
32-clip subset in tests/data. Named {word}_{speaker}.wav; 16 kHz."""
WORDS_ENV = "VOICE_SPOKEN_WORDS_DIR"
DIGIT_WORDS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")


def words_dir() -> Path | None:
    import os

    for folder in ([Path(os.environ[WORDS_ENV])] if os.environ.get(WORDS_ENV) else []) + list(WORDS_DIRS):
        if folder.is_dir() and any(folder.glob("*.wav")):
            return folder.resolve()
    return None


def measure_spoken_words(content, grammar, workdir: Path, engine: str, model: str | None,
                         levels: tuple = (None, 10.0), quick: bool = False) -> dict[str, Any] | None:
    """People saying "yes", "no" and digits on their own microphones, as the answer to the cauda
    equina screen (yes/no, its yes guarded as in a session) or the pain score (digits), clean and in
    babble; each clip through a listener kept from clip to clip. Counts per level and kind, and
    red-flag "yes" heard as "no"."""
    from bench.testaudio import babble, mix_snr, write_wav_file
    from voice.speech.listening import AudioListener
    from voice.speech.scripted import ScriptedAudioSource

    from .corpus import level_name
    from .understanding import recognizer_factory

    folder = words_dir()
    if folder is None:
        return None
    found = []
    for path in sorted(folder.glob("*.wav")):
        word = path.stem.split("_")[0]
        if word in ("yes", "no") or word in DIGIT_WORDS:
            found.append((path, word))
    if quick:
        found = found[::25]
    workdir.mkdir(parents=True, exist_ok=True)
    from voice.speech.audio import read_wav

    rec = recognizer_factory(engine, model)()
    out: dict[str, Any] = {"source": "Speech Commands (CC BY 4.0), " + str(folder), "clips": len(found),
                           "speakers": len({p.stem.split("_")[1] for p, _ in found}), "engine": engine,
                           "levels": {}}
    rows = []
    try:
        for snr in levels:
            level = level_name(snr)
            paths = []
            for i, (path, _word) in enumerate(found):
                speech = read_wav(path)
                noise = None if snr is None else babble(len(speech) / 16000 + 1.4, seed=i)
                paths.append(write_wav_file(workdir / f"{level}-{path.name}",
                                            mix_snr(speech, noise, snr, 0.5, 0.8)))
            listener = AudioListener(
                ScriptedAudioSource(io.StringIO("".join(f"{p}\n" for p in paths)), fast=True), rec)
            counts = {k: {"n": 0, "correct": 0, "wrong_confident": 0, "rejected": 0}
                      for k in ("yes_no", "digits")}
            yes_as_no = 0
            for path, word in found:
                kind = "yes_no" if word in ("yes", "no") else "digits"
                question = content.questions["ces_screen" if kind == "yes_no" else QUESTION]
                expect = grammar.expectation(question, guard="yes" if kind == "yes_no" else None)
                utt = listener.listen(expect)
                meaning = grammar.understand(utt.text, question) if utt.text else None
                got = None if meaning is None else str(meaning.answer if meaning.answer is not None
                                                       else f"command:{meaning.command}")
                want = word if kind == "yes_no" else str(DIGIT_WORDS.index(word))
                c = counts[kind]
                c["n"] += 1
                c["correct"] += got == want
                c["rejected"] += got is None
                sure = (utt.confidence or 0) >= CONFIRM_BELOW
                c["wrong_confident"] += got not in (None, want) and sure
                yes_as_no += want == "yes" and got == "no" and sure
                rows.append({"clip": path.name, "level": level, "expected": want, "text": utt.text,
                             "got": got, "confidence": utt.confidence})
            listener.source.close()
            for c in counts.values():
                c["accuracy"] = round(100.0 * c["correct"] / c["n"], 1) if c["n"] else None
            out["levels"][level] = {**counts, "yes_heard_as_no_confident": yes_as_no}
    finally:
        rec.close()
    out["rows"] = rows
    return out
