"""Answer understanding: every corpus item, clean and in babble, through the assistant's own path
and through the naive peer, with the same audio in the same run.

Ours: what the command line does with `--audio-in - --fast`: the WAV goes through
`voice.speech.listening.AudioListener` (a `ScriptedAudioSource` with fast=True, noise
suppression, the endpointer, then the grammar-constrained recognizer on the question's
Expectation), and the recognized text through Grammar.understand for that question, as the
session does. The recognizer is `PocketSphinxRecognizer` (or `VoskRecognizer` with a model), the
class the command line builds for `--engine`.

The naive peer: a second recognizer of the same engine (for PocketSphinx the same decoder
settings, bestpath off) transcribes the same audio with its open-vocabulary language model (no
grammar), then keyword spotting (bench.naive). It gets the answer cut out with an oracle
endpoint (`answer_segment`): generous to the peer (it never loses an answer to endpointing) and it
keeps the slow open-vocabulary search to the answer itself. Its own recognizer keeps its decoding
out of the history of ours (PocketSphinx carries its cepstral mean from one answer to the next,
as in a real session).

Work is split over processes by item; each worker loads its recognizers once (compiled grammars
are cached per answer set, so a grammar is compiled once per worker, not per item), renders its
own clips and goes through them level by level (every clean clip, then every 20 dB clip, ...)
with one listener per level, like a session in a room with steady babble: the endpointer's noise
floor (and the noise suppressor, when it is switched on) carry over from answer to answer as they
do between a session's turns. This matters: a listener that has just heard a clean answer does
better on the next noisy one than one that has been listening in the babble for a while, so an
order that alternates clean and noisy clips would flatter the noisy levels. Results depend only
on the seed and the number of workers.
"""

from __future__ import annotations

import io
import multiprocessing
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from rapidfuzz import fuzz, process

from bench.testaudio import write_wav_file
from voice.ports import Expectation
from voice.speech.audio import RATE
from voice.triage.model import Content, Kind
from voice.understanding.grammar import Grammar

from .corpus import AFTER, BEFORE, KOREAN_ANSWERS, LEVELS, Corpus, Item, level_name, meaning, render
from .naive import naive_meaning
from .scoring import median, percentile, score

PATH_LABEL = (
    "voice.speech.listening.AudioListener (ScriptedAudioSource fast=True, endpointer, noise "
    "suppression at its default, off) + {recognizer} with {grammar}"
)
GRAMMARS = {
    "en": "the question's grammar, then Grammar.understand",
    "ko": "the Korean answers (corpus.KOREAN_ANSWERS) as its grammar, then the closest answer",
}


@dataclass
class Decoded:
    """What both paths made of one item at one noise level."""

    index: int
    level: str
    ours_text: str | None
    ours: str | None
    confidence: float | None
    listen_ms: float
    """Wall time of AudioListener.listen on the clip (fast: audio read as fast as it decodes)."""
    decode_ms: float | None
    """Recognizer time after the endpoint (AudioListener.last_turn["decode_ms"])."""
    naive_text: str | None
    naive: str | None
    naive_ms: float
    fresh: str | None = None
    """Ours again with a fresh listener (endpointer and noise suppressor that have heard nothing before)."""
    first: str | None = None
    """Ours as the first answer of a session: a new listener and a new recognizer."""


def clip_path(folder: Path, item: Item, level: str) -> Path:
    return folder / f"{item.id}-{level.replace(' ', '')}.wav"


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


def answer_segment(pcm: np.ndarray) -> np.ndarray:
    """The naive peer's audio: the answer cut out where the corpus put it, with 0.2 s / 0.3 s margins."""
    start = max(0, int((BEFORE - 0.2) * RATE))
    end = min(len(pcm), len(pcm) - int((AFTER - 0.3) * RATE))
    return pcm[start:end]


# ---------------------------------------------------------------- worker (one process)


def recognizer_factory(engine: str, model: str | None) -> Callable[[], Any]:
    """A function that makes a new recognizer of `engine`, the class the command line builds (for
    Vosk, all on one model loaded once)."""
    from voice.speech.pocketsphinx import PocketSphinxRecognizer
    from voice.speech.vosk import VoskRecognizer, load_vosk_model

    if engine == "pocketsphinx":
        return PocketSphinxRecognizer
    if engine == "whisper":
        from voice.speech.listening import with_second_opinion
        from voice.speech.whisper import WhisperRecognizer

        shared = WhisperRecognizer(model)  # one model in memory, recognizers on it
        # As the command line builds it: PocketSphinx for the turns Whisper cannot place.
        return lambda: with_second_opinion(WhisperRecognizer(model, model=shared._model))
    loaded = load_vosk_model(model)  # one model in memory, recognizers on it
    return lambda: VoskRecognizer(model, model=loaded)


def _work(job: tuple[str, str | None, list[tuple[int, Item]], str, str | None, tuple]) -> dict[str, Any]:
    """Render and decode the items [(index, item)] of one worker at each of its levels, level by level."""
    engine, model, items, folder, grammar_dir, snrs = job
    from voice.speech.listening import AudioListener
    from voice.speech.scripted import ScriptedAudioSource
    from voice.triage.loader import load_content

    started = time.perf_counter()
    content = load_content()
    grammar = Grammar.load(grammar_dir)
    new_recognizer = recognizer_factory(engine, model)
    ours_rec, naive_rec, fresh_rec = new_recognizer(), new_recognizer(), new_recognizer()
    load_s = time.perf_counter() - started
    started = time.perf_counter()
    paths: dict[tuple[int, str], Path] = {}
    for index, item in items:
        for snr in snrs:
            path = clip_path(Path(folder), item, level_name(snr))
            write_wav_file(path, render(item, snr))
            paths[index, level_name(snr)] = path
    render_s = time.perf_counter() - started
    out = []
    started = time.perf_counter()
    try:
        for snr in snrs:
            level = level_name(snr)
            # One listener per noise level, as for a session in one room: its noise floor and noise
            # suppressor adapt from answer to answer, as they do between the turns of a session.
            feed = io.StringIO("".join(f"{paths[index, level]}\n" for index, _ in items))
            listener = AudioListener(ScriptedAudioSource(feed, fast=True), ours_rec)
            for index, item in items:
                path = paths[index, level]
                decoded = _one(listener, naive_rec, content, grammar, index, item, level, path)
                if engine == "whisper":
                    # Whisper keeps nothing from one answer to the next: a fresh recognizer hears
                    # the same audio the same way, so the two diagnostic rows are not decoded again.
                    decoded.fresh = decoded.first = decoded.ours
                    out.append(decoded)
                    continue
                # The same answer to a listener that has heard nothing before it (same recognizer
                # class and settings; its own recognizer, so ours' history is left as it is).
                fresh = AudioListener(ScriptedAudioSource(io.StringIO(f"{path}\n"), fast=True), fresh_rec)
                utt = fresh.listen(_expectation(content, grammar, item))
                decoded.fresh = _understood(utt.text, content, grammar, item)
                fresh.source.close()
                # The first answer of a session: a new listener and a new recognizer, which has
                # heard nothing (for PocketSphinx, no cepstral mean of this channel yet).
                first_rec = new_recognizer()
                first = AudioListener(ScriptedAudioSource(io.StringIO(f"{path}\n"), fast=True), first_rec)
                utt = first.listen(_expectation(content, grammar, item))
                decoded.first = _understood(utt.text, content, grammar, item)
                first.source.close()
                first_rec.close()
                out.append(decoded)
            listener.source.close()
        compiled = len(getattr(ours_rec, "compile_ms", {}) or {})
    finally:
        for rec in (ours_rec, naive_rec, fresh_rec):
            rec.close()
    return {
        "decoded": out,
        "recognizer": type(ours_rec).__name__,
        "load_s": round(load_s, 2),
        "render_s": round(render_s, 2),
        "decode_s": round(time.perf_counter() - started, 2),
        "grammars_compiled": compiled,
    }


def _expectation(content: Content, grammar: Grammar, item: Item) -> Expectation:
    if item.language == "ko":
        return korean_expectation()
    # As the session listens: a red-flag question guards its yes (see Expectation.guarded).
    return grammar.expectation(content.questions[item.question], guard="yes" if item.red_flag else None)


def _understood(text: str | None, content: Content, grammar: Grammar, item: Item) -> str | None:
    """The meaning the session takes from recognized text (None: nothing heard or no match)."""
    if item.language == "ko":
        return korean_meaning(text)
    return meaning(grammar.understand(text, content.questions[item.question])) if text else None


def _one(
    listener, naive_rec, content: Content, grammar: Grammar, index: int, item: Item, level: str, path: Path
) -> Decoded:
    """Both paths on one clip: the listener (ours) reads it from its scripted source."""
    from voice.speech.audio import read_wav

    question = None if item.language == "ko" else content.questions[item.question]
    t = time.perf_counter()
    utt = listener.listen(_expectation(content, grammar, item))
    listen_ms = (time.perf_counter() - t) * 1000
    ours = _understood(utt.text, content, grammar, item)
    pcm = answer_segment(read_wav(path))
    t = time.perf_counter()
    naive_text = naive_rec.decode(pcm, None).text
    naive_ms = (time.perf_counter() - t) * 1000
    if item.language == "ko":
        naive = korean_naive(naive_text)
    else:
        choices = tuple((c.id, c.max_days) for c in question.choices)
        naive = naive_meaning(naive_text, question.kind.value, choices)
    decode_ms = listener.last_turn.get("decode_ms")
    return Decoded(
        index,
        level,
        utt.text,
        ours,
        utt.confidence,
        round(listen_ms, 1),
        None if decode_ms is None else round(decode_ms, 1),
        naive_text,
        naive,
        round(naive_ms, 1),
    )


def measure_understanding(
    corpus: Corpus,
    content: Content,
    grammar: Grammar,
    engine: str,
    model: str | None,
    folder: Path,
    jobs: int = 2,
    snrs: tuple[float | None, ...] = LEVELS,
) -> dict[str, Any]:
    """Accuracy of ours and of the naive peer per noise level (`snrs`: None for clean), error kinds,
    decoding times, raw rows."""
    folder.mkdir(parents=True, exist_ok=True)
    items = corpus.items
    jobs = max(1, min(jobs, len(items)))
    chunks = [[(i, items[i]) for i in range(k, len(items), jobs)] for k in range(jobs)]
    gdir = str(grammar.folder)
    work = [(engine, model, chunk, str(folder), gdir, snrs) for chunk in chunks]
    started = time.monotonic()
    if jobs == 1:
        parts = [_work(work[0])]
    else:
        ctx = multiprocessing.get_context("fork")
        with ctx.Pool(jobs) as pool:
            parts = pool.map(_work, work)
    wall_s = time.monotonic() - started
    decoded = [d for part in parts for d in part["decoded"]]
    levels = [level_name(s) for s in snrs]
    ours = {lv: score((items[d.index], d.ours) for d in decoded if d.level == lv) for lv in levels}
    naive = {lv: score((items[d.index], d.naive) for d in decoded if d.level == lv) for lv in levels}
    fresh = {lv: score((items[d.index], d.fresh) for d in decoded if d.level == lv) for lv in levels}
    first = {lv: score((items[d.index], d.first) for d in decoded if d.level == lv) for lv in levels}
    cats = list(dict.fromkeys(i.category for i in items))
    by_category = {
        cat: {
            lv: score(
                (items[d.index], d.ours) for d in decoded if d.level == lv and items[d.index].category == cat
            )
            for lv in levels
        }
        for cat in cats
    }
    decode = [d.decode_ms for d in decoded if d.decode_ms is not None]
    decode_clean = [d.decode_ms for d in decoded if d.decode_ms is not None and d.level == levels[0]]
    listen_ms = [d.listen_ms for d in decoded]
    naive_ms = [d.naive_ms for d in decoded]
    return {
        "engine": engine,
        "model": model,
        "path": PATH_LABEL.format(recognizer=parts[0]["recognizer"], grammar=GRAMMARS[items[0].language]),
        "corpus": len(items),
        "levels": levels,
        "ours": ours,
        "naive": naive,
        "fresh_listener": fresh,
        "first_answer": first,
        "by_category": by_category,
        "decode_ms": {
            "ours_after_endpoint": {
                "median": median(decode),
                "p90": percentile(decode, 90),
                "n": len(decode),
            },
            "ours_after_endpoint_clean": {
                "median": median(decode_clean),
                "p90": percentile(decode_clean, 90),
                "n": len(decode_clean),
            },
            "ours_listen": {"median": median(listen_ms), "p90": percentile(listen_ms, 90)},
            "naive": {"median": median(naive_ms), "p90": percentile(naive_ms, 90)},
        },
        "workers": [{k: v for k, v in part.items() if k != "decoded"} for part in parts],
        "seconds": round(wall_s, 1),
        "rows": [
            {
                "item": items[d.index].id,
                "level": d.level,
                "text": items[d.index].text,
                "voice": items[d.index].voice.label,
                "expected": items[d.index].expected,
                "ours_text": d.ours_text,
                "ours": d.ours,
                "confidence": d.confidence,
                "decode_ms": d.decode_ms,
                "naive_text": d.naive_text,
                "naive": d.naive,
                "fresh_listener": d.fresh,
                "first_answer": d.first,
            }
            for d in sorted(decoded, key=lambda d: (d.index, levels.index(d.level)))
        ],
    }


__all__ = ["measure_understanding", "naive_meaning", "Item", "Kind"]
