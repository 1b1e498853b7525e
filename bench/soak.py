"""Kiosk soak benchmark: hundreds of people in a row through one kiosk process.

    python -m bench.soak [--people 500] [--engine text|pocketsphinx] [--seed 0]

A crowd of simulated people (the test vignettes' patients, answering in everyday wording, plus
people who walk away mid-session, people who say "I'm done", and people who ask for help at
once) wakes the real kiosk, answers its questions and leaves. With `--engine pocketsphinx` every
line is spoken by espeak-ng and goes through the real recognizer (scripted audio, as fast as it
can decode) and every prompt is synthesized into WAV files, as `--audio-in - --fast --audio-out`
does. Prints resident memory at the start and the end (growth target under 5%), failures
(target none), outcomes, and time per session. Figures are measured, never assumed.
"""

from __future__ import annotations

import argparse
import io
import json
import random
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

from voice.app.config import Config
from voice.app.kiosk import Kiosk
from voice.app.text_io import ScriptedListener, TranscriptSpeaker
from voice.dialog.events import Ask, Error, Events, Heard, Idle, KioskError, Outcome, Record, Reset
from voice.dialog.session import SessionSettings
from voice.triage.loader import default_content_dir, load_content
from voice.understanding.grammar import Grammar, default_grammar_dir

from .evaluation.patient import SimulatedPatient, load_phrasings
from .evaluation.vignettes import load_vignettes
from .machine import rss_mb

KINDS = ("patient", "patient", "patient", "patient", "walk_away", "stops", "help_now")
"""How often each kind of person comes (a patient four times in seven)."""
WAKE_TRIES = 3
"""Times a person says the wake phrase at an idle kiosk that has not heard them before giving up."""


class Crowd:
    """People arriving at the kiosk one after another; they follow its events to know what to say.

    `line()` is what the person at the kiosk says next (None: silence). The crowd never sees the
    kiosk's internals, only the event stream, as a person only hears what is said.
    """

    def __init__(self, people: int, seed: int):
        self.rng = random.Random(seed)
        self.vignettes = load_vignettes()
        self.phrasings = load_phrasings()
        self.remaining = people
        self.kind: str | None = None
        self.patient: SimulatedPatient | None = None
        self.ask: Ask | None = None
        self.answered = 0
        self.started = False
        """The kiosk has taken this person in (they heard a question or advice)."""
        self.wake_tries = 0
        self.arrived: Counter[str] = Counter()
        self.unheard = 0
        """People who gave up because the kiosk never heard them ask to start."""

    def _wake_phrase(self) -> str:
        return "I need help now" if self.kind == "help_now" else self.rng.choice(["start", "hello"])

    def on_event(self, record: Record) -> None:
        match record:
            case Idle():
                self.kind = self.patient = self.ask = None
            case Ask():
                self.ask = record
                self.started = True
            case Outcome() | Heard(wake=True):
                self.started = True

    def line(self) -> str | None:
        if self.kind is not None and not self.started:
            # Still waiting at the idle kiosk: not heard yet, so say it again, as a person would;
            # after three tries they give up and the next person walks up.
            self.wake_tries += 1
            if self.wake_tries < WAKE_TRIES:
                return self._wake_phrase()
            self.unheard += 1
            self.kind = None
        if self.kind is None:  # the kiosk is idle: the next person walks up
            if self.remaining <= 0:
                raise EOFError
            self.remaining -= 1
            self.kind = self.rng.choice(KINDS)
            self.arrived[self.kind] += 1
            self.answered = 0
            self.started = False
            self.wake_tries = 0
            self.patient = SimulatedPatient(self.rng.choice(self.vignettes), self.phrasings, self.rng)
            return self._wake_phrase()
        self.answered += 1
        if self.kind == "walk_away" and self.answered > 2:
            return None
        if self.kind == "stops" and self.answered > 2:
            return "I'm done"
        if self.ask is None:
            return None
        return self.patient.answer(self.ask)


class _CrowdLines:
    """A text stream of WAV paths for ScriptedAudioSource: each line is the crowd's next answer, spoken."""

    def __init__(self, crowd: Crowd, folder: Path, seed: int):
        from . import testaudio

        self.crowd = crowd
        self.folder = folder
        self.testaudio = testaudio
        self.rng = random.Random(seed)

    def readline(self) -> str:
        try:
            text = self.crowd.line()
        except EOFError:
            return ""
        if text is None:
            return "\n"
        voice = self.rng.choice(self.testaudio.VOICES)
        path = self.testaudio.answer_file(self.folder, text, voice, before=0.3, after=0.3)
        self.testaudio.forget()  # the file is the copy kept: a growing cache here is not the kiosk's
        return f"{path}\n"


def _text_listener(crowd: Crowd) -> ScriptedListener:
    def answer(expect):
        try:
            return crowd.line()
        except EOFError:
            from voice.errors import EndOfInput

            raise EndOfInput() from None

    return ScriptedListener(answer=answer)


def run(people: int, engine: str, seed: int, work: Path) -> dict[str, Any]:
    content = load_content(default_content_dir())
    grammar = Grammar.load(default_grammar_dir())
    crowd = Crowd(people, seed)
    if engine == "text":
        listener, speaker = _text_listener(crowd), TranscriptSpeaker(None)
    else:
        from voice import speech

        lines = _CrowdLines(crowd, work / "answers", seed)
        listener = speech.build_listener(engine=engine, model=None, audio_in=lines,
                                         fast=True, input_device=None, noinput_timeout=None)
        speaker = speech.build_speaker(audio_out=work / "said", output_device=None, rate=None, volume=None,
                                       voice=None, cues=None)
    sink = io.StringIO()
    events = Events(sink)
    counts: Counter[str] = Counter()
    marks: list[tuple[int, float, float]] = []  # (people served, rss MB, time)
    started = time.perf_counter()

    def watch(record: Record) -> None:
        crowd.on_event(record)
        match record:
            case Outcome(disposition=disposition):
                counts[f"outcome {disposition}"] += 1
            case Reset(reason=reason):
                counts[f"reset {reason}"] += 1
                n = sum(v for k, v in counts.items() if k.startswith("reset "))
                if n in (1, min(50, max(1, people // 10))) or n % 50 == 0:
                    marks.append((n, rss_mb(), time.perf_counter() - started))
            case Error() | KioskError():
                counts["error"] += 1
        sink.seek(0)
        sink.truncate()  # the soak keeps no transcript: memory growth must be the kiosk's own

    events.listeners.append(watch)
    config = Config(alert_command="true")
    rss_before = rss_mb()
    kiosk = Kiosk(content, grammar, listener, speaker, events, None, SessionSettings(), config,
                  out=io.StringIO(), err=io.StringIO(), sleep=lambda s: None)
    kiosk.run()
    elapsed = time.perf_counter() - started
    served = kiosk.served + kiosk.walked_away  # every person who came through, walk-aways included
    last = (served, rss_mb(), elapsed)  # before closing: the models still loaded, as in a kiosk all day
    listener.close()
    speaker.close()
    # The start is taken after a warm-up of 50 people (10% of a short run): by then every question's
    # grammar and every prompt's speech has been built once; growth after that would be a leak.
    warm = min(50, max(1, people // 10))
    first = next((m for m in marks if m[0] >= warm), marks[0] if marks else (0, rss_before, 0.0))
    return {
        "engine": engine, "people": people, "served": served, "failures": kiosk.failures,
        "errors": counts.get("error", 0), "arrived": dict(crowd.arrived), "unheard": crowd.unheard,
        "resets": {k[6:]: v for k, v in counts.items() if k.startswith("reset ")},
        "outcomes": {k[8:]: v for k, v in counts.items() if k.startswith("outcome ")},
        "rss_before_mb": round(rss_before, 1), "rss_first_mb": round(marks[0][1], 1) if marks else None,
        "warm_up": first[0], "rss_start_mb": round(first[1], 1),
        "rss_end_mb": round(last[1], 1),
        "rss_growth_pct": round(100 * (last[1] - first[1]) / first[1], 2) if first[1] else None,
        "seconds": round(elapsed, 1), "ms_per_session": round(1000 * elapsed / max(1, served), 1),
        "rss_marks": [(n, round(m, 1)) for n, m, _ in marks],
        "rss_trend_mb_per_100": _trend([(n, m) for n, m, _ in marks if n >= first[0]] + [last[:2]]),
    }


def _trend(points: list[tuple[int, float]]) -> float | None:
    """Least-squares slope of resident memory, in MB per 100 people: the allocator makes single
    readings go up and down by 10 MB or more, so a leak shows as a slope, not as two endpoints."""
    if len({n for n, _ in points}) < 3:
        return None
    mx = sum(n for n, _ in points) / len(points)
    my = sum(m for _, m in points) / len(points)
    sxx = sum((n - mx) ** 2 for n, _ in points)
    return round(100 * sum((n - mx) * (m - my) for n, m in points) / sxx, 2)


def format_result(r: dict[str, Any]) -> str:
    lines = [
        f"## Kiosk soak: {r['served']} people in a row ({r['engine']})",
        "",
        "| measure | value | target |",
        "|---|---:|---:|",
        f"| people served | {r['served']} of {r['people']} | all |",
        f"| people never heard asking to start (gave up after {WAKE_TRIES} tries) | {r['unheard']} | 0 |",
        f"| failed sessions | {r['failures']} (error events: {r['errors']}) | 0 |",
        f"| resident memory after the first person | {r['rss_first_mb']} MB | |",
        f"| resident memory at the start (after {r['warm_up']} people warm-up) | {r['rss_start_mb']} MB | |",
        f"| resident memory at the end | {r['rss_end_mb']} MB | |",
        f"| growth from the start to the end | {r['rss_growth_pct']}% | < 5% |",
        f"| trend after the warm-up (least squares) | {r['rss_trend_mb_per_100']} MB per 100 people | |",
        f"| time per session | {r['ms_per_session']} ms | |",
        f"| total time | {r['seconds']} s | |",
        "",
        f"People: {json.dumps(r['arrived'])}; ends: {json.dumps(r['resets'])}; "
        f"outcomes: {json.dumps(r['outcomes'])}",
        f"Memory (people served, MB): {r['rss_marks']}",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.soak", description=__doc__.split("\n\n")[0])
    parser.add_argument("--people", type=int, default=500, help="people in a row (default 500)")
    parser.add_argument("--engine", choices=["text", "pocketsphinx"], default="text",
                        help="text: typed answers; pocketsphinx: spoken answers through the recognizer")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="voice-soak-") as tmp:
        result = run(args.people, args.engine, args.seed, Path(tmp))
    print(format_result(result))
    if args.json:
        args.json.write_text(json.dumps(result, indent=2) + "\n")
    ok = result["failures"] == 0 and result["served"] == args.people and (result["rss_growth_pct"] or 0) < 5
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
