"""Answer understanding: every corpus item, clean and in babble, through the assistant's own path
and through the naive peer, with the same audio in the same run.

Ours: the WAV goes through the listener the CLI builds for `--audio-in - --fast`
(voice.speech.build_listener: scripted audio source, endpointer, grammar-constrained recognizer
on the question's Expectation), and its text through Grammar.understand for that question, as
the session does. The naive peer: the same engine's open-vocabulary transcription of the same
audio (no grammar; the answer cut out with an oracle endpoint, see `answer_segment`), then
keyword spotting (voice.bench.naive).

Work is split over processes (each loads its own recognizer); results come back per clip.
"""

from __future__ import annotations

import io
import multiprocessing
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from rapidfuzz import fuzz, process

from voice.ports import Expectation
from voice.speech.audio import RATE
from voice.speech.testaudio import write_wav_file
from voice.triage.model import Content, Kind
from voice.understanding.grammar import Grammar

from .corpus import AFTER, BEFORE, KOREAN_ANSWERS, LEVELS, Corpus, Item, level_name, meaning, render
from .naive import naive_meaning
from .scoring import median, percentile, score


@dataclass(frozen=True)
class Clip:
    """One item at one noise level, written as a WAV."""

    index: int
    """Index of the item in the corpus."""
    level: str
    path: str


@dataclass
class Decoded:
    """What both paths made of one clip."""

    index: int
    level: str
    ours_text: str | None
    ours: str | None
    ours_ms: float
    naive_text: str | None
    naive: str | None
    naive_ms: float


def write_clips(corpus: Corpus, folder: Path) -> list[Clip]:
    """Render every item at every level into `folder` (deterministic from the item's seed)."""
    clips = []
    for i, item in enumerate(corpus.items):
        for snr in LEVELS:
            name = level_name(snr)
            path = folder / f"{item.id}-{name.replace(' ', '')}.wav"
            write_wav_file(path, render(item, snr))
            clips.append(Clip(i, name, str(path)))
    return clips


def korean_expectation() -> Expectation:
    """The Korean yes / no / not sure grammar."""
    return Expectation("ko_answer", "yes_no", tuple(KOREAN_ANSWERS))


def korean_meaning(text: str | None) -> str | None:
    """The meaning of a Korean answer recognized with the Korean grammar (closest allowed sentence)."""
    if not text:
        return None
    norm = " ".join(text.split())
    if norm in KOREAN_ANSWERS:
        return KOREAN_ANSWERS[norm]
    match = process.extractOne(norm, list(KOREAN_ANSWERS), scorer=fuzz.ratio, score_cutoff=80)
    return KOREAN_ANSWERS[match[0]] if match else None


def korean_naive(text: str | None) -> str | None:
    """Keyword spotting on a Korean open-vocabulary transcription."""
    if not text:
        return None
    if "몰" in text or "모르" in text or "글쎄" in text:
        return "unsure"
    if "아니" in text or "없" in text:
        return "no"
    if "네" in text or "예" in text or "있" in text:
        return "yes"
    return None


# ---------------------------------------------------------------- worker (one process)

def build_answer_path(engine: str, model: str | None, feed: io.StringIO) -> tuple[Any, str]:
    """The listener the CLI builds for `--audio-in - --fast` on `feed`, and a label of the path.

    While voice.speech.listening is not in the tree, the bench's stand-in (voice.bench.fallback).
    """
    try:
        from voice import speech

        build = speech.build_listener
    except (ImportError, AttributeError):
        from .fallback import LABEL, StandInListener

        return StandInListener(engine, model, feed), LABEL
    listener = build(engine=engine, model=model, audio_in=feed, fast=True, noinput_timeout=5.0)
    return listener, "voice.speech.build_listener (scripted source, endpointer, grammar recognizer)"


def answer_segment(pcm: np.ndarray) -> np.ndarray:
    """The naive peer's audio: the answer cut out where the corpus put it, with 0.2 s / 0.3 s margins.

    An oracle endpoint: generous to the peer (it never loses an answer to endpointing) and it keeps
    its open-vocabulary decoding, which runs at about real time, to the answer itself.
    """
    start = max(0, int((BEFORE - 0.2) * RATE))
    end = min(len(pcm), len(pcm) - int((AFTER - 0.3) * RATE))
    return pcm[start:end]


def _work(job: tuple[str, str | None, list[tuple[Clip, str, str]], str | None]) -> tuple[list[Decoded], str]:
    """Decode clips [(clip, question id, language)] with one engine; returns what both paths heard."""
    engine, model, clips, grammar_dir = job
    from voice.speech.audio import read_wav
    from voice.triage.loader import load_content

    content = load_content()
    grammar = Grammar.load(grammar_dir)
    feed = io.StringIO("".join(c.path + "\n" for c, _, _ in clips))
    listener, label = build_answer_path(engine, model, feed)
    rec = listener.recognizer
    out = []
    try:
        for clip, qid, language in clips:
            if language == "ko":
                expect = korean_expectation()
                question = None
            else:
                question = content.questions[qid]
                expect = grammar.expectation(question)
            t = time.perf_counter()
            utt = listener.listen(expect)
            ours_ms = (time.perf_counter() - t) * 1000
            if language == "ko":
                ours = korean_meaning(utt.text)
            else:
                ours = meaning(grammar.understand(utt.text, question)) if utt.text else None
            pcm = answer_segment(read_wav(clip.path))
            t = time.perf_counter()
            naive_text = rec.decode(pcm, None)
            naive_text = getattr(naive_text, "text", naive_text)
            naive_ms = (time.perf_counter() - t) * 1000
            if language == "ko":
                naive = korean_naive(naive_text)
            else:
                choices = tuple((c.id, c.max_days) for c in question.choices)
                naive = naive_meaning(naive_text, question.kind.value, choices)
            ms = round(ours_ms, 1), round(naive_ms, 1)
            out.append(Decoded(clip.index, clip.level, utt.text, ours, ms[0], naive_text, naive, ms[1]))
    finally:
        listener.close()
    return out, label


def measure_understanding(
    corpus: Corpus,
    content: Content,
    grammar: Grammar,
    engine: str,
    model: str | None,
    folder: Path,
    jobs: int = 2,
) -> dict[str, Any]:
    """Accuracy of ours and of the naive peer per noise level, error kinds, decoding times, raw rows."""
    folder.mkdir(parents=True, exist_ok=True)
    clips = write_clips(corpus, folder)
    items = corpus.items
    work = [(c, items[c.index].question, items[c.index].language) for c in clips]
    jobs = max(1, min(jobs, len(work)))
    chunks = [work[k::jobs] for k in range(jobs)]
    gdir = str(grammar.folder)
    if jobs == 1:
        parts = [_work((engine, model, chunks[0], gdir))]
    else:
        ctx = multiprocessing.get_context("fork")
        with ctx.Pool(jobs) as pool:
            parts = pool.map(_work, [(engine, model, chunk, gdir) for chunk in chunks])
    decoded = [d for part, _ in parts for d in part]
    path_label = parts[0][1]
    levels = [level_name(s) for s in LEVELS]
    ours = {lv: score((items[d.index], d.ours) for d in decoded if d.level == lv) for lv in levels}
    naive = {lv: score((items[d.index], d.naive) for d in decoded if d.level == lv) for lv in levels}
    cats = sorted({i.category for i in items}, key=lambda c: [i.category for i in items].index(c))
    by_category = {
        cat: {
            lv: score(
                (items[d.index], d.ours) for d in decoded if d.level == lv and items[d.index].category == cat
            )
            for lv in levels
        }
        for cat in cats
    }
    ours_ms = [d.ours_ms for d in decoded]
    naive_ms = [d.naive_ms for d in decoded]
    return {
        "engine": engine,
        "model": model,
        "path": path_label,
        "corpus": len(items),
        "levels": levels,
        "ours": ours,
        "naive": naive,
        "by_category": by_category,
        "decode_ms": {
            "ours": {"median": median(ours_ms), "p90": percentile(ours_ms, 90)},
            "naive": {"median": median(naive_ms), "p90": percentile(naive_ms, 90)},
        },
        "rows": [
            {
                "item": items[d.index].id,
                "level": d.level,
                "text": items[d.index].text,
                "expected": items[d.index].expected,
                "ours_text": d.ours_text,
                "ours": d.ours,
                "naive_text": d.naive_text,
                "naive": d.naive,
            }
            for d in sorted(decoded, key=lambda d: (d.index, d.level))
        ],
    }


__all__ = ["measure_understanding", "write_clips", "naive_meaning", "Item", "Kind"]
