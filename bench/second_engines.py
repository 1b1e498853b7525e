"""Second engines: PocketSphinx and Moonshine Base side by side in the second engine's roles
(voice/speech/second_opinion.py), on the same audio and the same Whisper transcripts.

Each turn goes once through the assistant's listening path with Whisper (AudioListener,
ScriptedAudioSource fast=True, the endpointer): the audio the endpointer passed on and Whisper's
hypothesis are kept. Then, for each second engine, `SecondOpinionRecognizer` (the product's own
policy code) decides the turn again from that hypothesis and that audio, with the engine as its
second. So both engines meet the same audio and the same first transcript, and the roles are
exactly the product's:

- second opinion: Whisper's transcript was rejected or not understood; the second engine's pick is
  a guess, always checked. Counted: asked, recovered (the right answer), wrong guesses (a wrong
  answer to check: one more "no" for the person), nothing;
- second ear: Whisper would have taken the answer unchecked, but on a number question or below
  AGREE_ABOVE; taken unchecked only if the second engine heard the same. Counted: on Whisper's
  right answers agreed (taken, good) or not (checked: the cost); on its wrong answers and on babble
  alone agreed (taken unchecked: the error that matters) or not (checked).

The turns: the benchmark's answers (bench.corpus, espeak-ng voices), real people saying yes, no and
digits (../shared/speech/spoken-words, bench.real_voices), the spoken numbers (bench.spoken_numbers),
each clean and in 10 dB babble, and babble alone (bench.babble_alone). Also: each engine's decode
time where it was asked, and the memory of a process with Whisper and each second engine after the
same decodes (VmRSS and its peak, VmHWM, in a fresh process each).

`python -m bench.second_engines [--answers-every N] [--words-every N] [--voices N] [--segments N]
[--json FILE]` prints the figures: at the defaults 112 turns, 7 minutes on 2 cores at load 11
(fewer on a quiet machine); the figures in docs/speech-measurements.md took `--answers-every 1
--words-every 4 --voices 2 --segments 10` (376 turns, 14 minutes).
"""

from __future__ import annotations

import io
import time
from pathlib import Path
from typing import Any

import numpy as np

from voice.ports import CONFIRM_BELOW, Expectation
from voice.speech.recognizers import Hypothesis

SECONDS = ("pocketsphinx", "moonshine")
SNRS = (None, 10.0)
WORDS_EVERY = 20
"""The spoken-words clips taken by default: every 20th yes, no or digit (17 of 340)."""
ANSWERS_EVERY = 3
"""The benchmark's answers taken by default: every third (17 of 51)."""
MEMORY_TURNS = 20
"""Turns decoded by Whisper and each second engine before the memory is read (`memory`)."""


class _Recording:
    """Whisper as the listener drives it, keeping the audio fed to it and what it heard."""

    def __init__(self, inner):
        self.inner = inner
        self.engine, self.model = inner.engine, inner.model
        self.chunks: list[np.ndarray] = []
        self.hyp: Hypothesis | None = None

    def prepare(self, expect):
        self.inner.prepare(expect)

    def start(self, expect):
        self.chunks, self.hyp = [], None
        self.inner.start(expect)

    def feed(self, frame):
        frame = np.asarray(frame, dtype=np.int16)
        if len(frame):
            self.chunks.append(frame)
        self.inner.feed(frame)

    def speculate(self):
        self.inner.speculate()

    def partial(self):
        return self.inner.partial()

    def finish(self):
        self.hyp = self.inner.finish()
        return self.hyp

    def pcm(self) -> np.ndarray:
        return np.concatenate(self.chunks) if self.chunks else np.zeros(0, dtype=np.int16)

    def close(self):
        self.inner.close()


class _Replay:
    """A first engine that hears what Whisper heard on this audio (its recorded hypothesis)."""

    engine, model = "whisper", None

    def __init__(self, hyp: Hypothesis):
        self.hyp = hyp

    def prepare(self, expect): ...
    def start(self, expect): ...
    def feed(self, frame): ...
    def speculate(self): ...
    def partial(self): return ""
    def finish(self): return self.hyp
    def forget(self): ...
    def close(self): ...


def _second(name: str):
    if name == "moonshine":
        from bench.moonshine import MoonshineRecognizer

        return MoonshineRecognizer()
    from voice.speech.pocketsphinx import PocketSphinxRecognizer

    return PocketSphinxRecognizer()


def _turns(content, grammar, workdir: Path, words_every: int, voices: int, segments: int,
           answers_every: int = 1) -> list[dict]:
    """Every turn: set, level, WAV path, question, expected meaning (None for babble), guard."""
    from bench import testaudio as ta
    from bench.babble_alone import QUESTIONS as BABBLE_QUESTIONS
    from bench.babble_alone import SECONDS as BABBLE_SECONDS
    from bench.corpus import build_corpus, level_name, render
    from bench.real_voices import DIGIT_WORDS, QUESTION, words_dir
    from bench.spoken_numbers import SAID, VOICES
    from voice.speech.audio import read_wav
    from voice.triage.engine import Triage

    triage = Triage(content)
    turns = []
    for snr in SNRS:
        level = level_name(snr)
        for item in build_corpus(content, grammar).items[::answers_every]:
            path = ta.write_wav_file(workdir / f"{item.id}-{level.replace(' ', '')}.wav", render(item, snr))
            turns.append({"set": "answers", "level": level, "path": path, "question": item.question,
                          "expected": item.expected, "guard": item.red_flag, "said": item.text})
        folder = words_dir()
        wanted = ("yes", "no", *DIGIT_WORDS)
        found = [p for p in sorted(folder.glob("*.wav")) if p.stem.split("_")[0] in wanted] if folder else []
        for i, path in enumerate(found[::words_every]):
            word = path.stem.split("_")[0]
            speech = read_wav(path)
            noise = None if snr is None else ta.babble(len(speech) / 16000 + 1.4, seed=i)
            out = ta.write_wav_file(workdir / f"{level.replace(' ', '')}-{path.name}",
                                    ta.mix_snr(speech, noise, snr, 0.5, 0.8))
            yes_no = word in ("yes", "no")
            turns.append({"set": "real words", "level": level, "path": out,
                          "question": "ces_screen" if yes_no else QUESTION, "guard": yes_no, "said": word,
                          "expected": word if yes_no else str(DIGIT_WORDS.index(word))})
        for v in VOICES[:voices]:
            for i, (qid, text, want) in enumerate(SAID):
                path = ta.answer_file(workdir, text, ta.VOICES[v], snr, seed=100 + i)
                turns.append({"set": "numbers", "level": level, "path": path, "question": qid,
                              "expected": str(want), "guard": False, "said": text})
    for seed in range(1, segments + 1):
        path = ta.write_wav_file(workdir / f"babble-{seed}.wav", ta.babble(BABBLE_SECONDS, seed))
        for qid in BABBLE_QUESTIONS:
            turns.append({"set": "babble alone", "level": "babble", "path": path, "question": qid,
                          "expected": None, "said": "",
                          "guard": triage.is_red_flag_question(content.questions[qid])})
    return turns


def measure_second_engines(workdir: Path, words_every: int = WORDS_EVERY, voices: int = 1,
                           segments: int = 3, answers_every: int = ANSWERS_EVERY) -> dict[str, Any]:
    """Every turn decided with each second engine, and the counts (see the module docstring)."""
    from bench.corpus import meaning
    from voice.speech.listening import AudioListener
    from voice.speech.scripted import ScriptedAudioSource
    from voice.speech.second_opinion import SecondOpinionRecognizer
    from voice.speech.whisper import WhisperRecognizer
    from voice.speech.whisper_models import find_whisper_model
    from voice.triage.loader import load_content
    from voice.understanding import Grammar

    content, grammar = load_content(), Grammar.load()
    workdir.mkdir(parents=True, exist_ok=True)
    turns = _turns(content, grammar, workdir, words_every, voices, segments, answers_every)
    whisper = _Recording(WhisperRecognizer(find_whisper_model()))
    seconds: dict[tuple[str, str], Any] = {}
    moonshine = _second("moonshine")  # stateless: one for every turn
    rows = []
    started = time.monotonic()
    try:
        for turn in turns:
            question = content.questions[turn["question"]]
            expect: Expectation = grammar.expectation(question, guard="yes" if turn["guard"] else None)
            source = ScriptedAudioSource(io.StringIO(f"{turn['path']}\n"), fast=True)
            AudioListener(source, whisper).listen(expect)
            if whisper.hyp is None:  # the endpointer heard no speech: no engine is asked
                continue
            first = whisper.hyp
            row = {k: turn[k] for k in ("set", "level", "question", "expected", "said")}
            row["whisper"] = first.text
            row["whisper_meaning"] = meaning(grammar.understand(first.text, question)) if first.text else None
            row["whisper_sure"] = first.confidence >= CONFIRM_BELOW
            for name in SECONDS:
                # PocketSphinx carries its channel estimate from turn to turn: one per set and level,
                # as in a session in one room. Moonshine keeps nothing.
                room = (turn["set"], turn["level"])
                if name != "moonshine" and room not in seconds:
                    seconds[room] = _second(name)
                engine = moonshine if name == "moonshine" else seconds[room]
                both = SecondOpinionRecognizer(_Replay(first), engine)
                hyp = both.decode(whisper.pcm(), expect)
                asked = both.consulted.get("asked", False)
                role = None if not asked else ("ear" if "agree" in both.consulted else "opinion")
                got = meaning(grammar.understand(hyp.text, question)) if hyp.text else None
                row[name] = {"role": role, "heard": both.consulted.get("second"), "meaning": got,
                             "sure": hyp.confidence >= CONFIRM_BELOW, "agree": both.consulted.get("agree"),
                             "ms": round(hyp.decode_ms - first.decode_ms, 1) if asked else None}
            rows.append(row)
    finally:
        whisper.close()
        for engine in (*seconds.values(), moonshine):
            engine.close()
    return {"turns": len(rows), "seconds": round(time.monotonic() - started, 1), "counts": counts(rows),
            "decode_ms": decode_times(rows), "rows": rows}


def counts(rows: list[dict]) -> dict[str, Any]:
    """Per set, level and engine: the second opinion's and the second ear's outcomes."""
    out: dict[str, Any] = {}
    for key in dict.fromkeys((r["set"], r["level"]) for r in rows):
        mine = [r for r in rows if (r["set"], r["level"]) == key]
        per = {"turns": len(mine), "whisper_right": sum(r["whisper_meaning"] == r["expected"] and
                                                         r["expected"] is not None for r in mine)}
        for name in SECONDS:
            op = [r for r in mine if r[name]["role"] == "opinion"]
            ear = [r for r in mine if r[name]["role"] == "ear"]
            right_ear = [r for r in ear if r["whisper_meaning"] == r["expected"]]
            wrong_ear = [r for r in ear if r["whisper_meaning"] != r["expected"]]
            per[name] = {
                "opinion_asked": len(op),
                "recovered": sum(r[name]["meaning"] is not None and r[name]["meaning"] == r["expected"]
                                 and r[name]["meaning"] != r["whisper_meaning"] for r in op),
                "wrong_guesses": sum(r[name]["meaning"] not in (None, r["expected"])
                                     and r[name]["meaning"] != r["whisper_meaning"] for r in op),
                "ear_asked": len(ear),
                "ear_agreed_right": sum(bool(r[name]["agree"]) for r in right_ear),
                "ear_right": len(right_ear),
                "ear_agreed_wrong": sum(bool(r[name]["agree"]) for r in wrong_ear),
                "ear_wrong": len(wrong_ear),
            }
        out[f"{key[0]}, {key[1]}"] = per
    return out


def decode_times(rows: list[dict]) -> dict[str, Any]:
    """Median and 90th percentile of each engine's decode where it was asked (ms)."""
    from .scoring import median, percentile

    out = {}
    for name in SECONDS:
        values = [r[name]["ms"] for r in rows if r[name]["ms"] is not None]
        out[name] = {"n": len(values), "median": median(values), "p90": percentile(values, 90)}
    return out


def footprint(name: str, turns: list[tuple[str, str, bool]]) -> dict[str, Any]:
    """VmRSS and VmHWM (MB) of a fresh process with Whisper and the second engine `name` after both
    decoded every turn (path, question, guarded) on the turn's Expectation (run in a process of its
    own: see `memory`)."""
    from voice.speech.audio import read_wav
    from voice.speech.whisper import WhisperRecognizer
    from voice.speech.whisper_models import find_whisper_model
    from voice.triage.loader import load_content
    from voice.understanding import Grammar

    content, grammar = load_content(), Grammar.load()
    whisper, second = WhisperRecognizer(find_whisper_model()), _second(name)
    for path, qid, guard in turns:
        expect = grammar.expectation(content.questions[qid], guard="yes" if guard else None)
        pcm = read_wav(path)
        whisper.decode(pcm, expect)
        second.decode(pcm, expect)
    status = dict(line.split(":", 1) for line in Path("/proc/self/status").read_text().splitlines())
    return {k: round(int(status[k].split()[0]) / 1024) for k in ("VmRSS", "VmHWM")}


def memory(turns: list[tuple[str, str, bool]]) -> dict[str, Any]:
    """`footprint` of each second engine, each in a fresh process (spawned: nothing inherited)."""
    import multiprocessing

    ctx = multiprocessing.get_context("spawn")
    out = {}
    with ctx.Pool(1, maxtasksperchild=1) as pool:
        for name in SECONDS:
            out[name] = pool.apply(footprint, (name, turns))
    return out


def report(found: dict[str, Any]) -> list[str]:
    """The figures as markdown tables."""
    out = ["| turns | Whisper right | engine | opinion asked | recovered | wrong guesses "
           "| ear asked | ear agreed / Whisper right | ear agreed / Whisper wrong or babble |",
           "|---|---:|---|---:|---:|---:|---:|---:|---:|"]
    for key, per in found["counts"].items():
        for name in SECONDS:
            c = per[name]
            out.append(f"| {key} ({per['turns']}) | {per['whisper_right']} | {name} | {c['opinion_asked']} "
                       f"| {c['recovered']} | {c['wrong_guesses']} | {c['ear_asked']} "
                       f"| {c['ear_agreed_right']} / {c['ear_right']} "
                       f"| {c['ear_agreed_wrong']} / {c['ear_wrong']} |")
    out += ["", "| engine | decodes | median ms | p90 ms | VmRSS MB (with Whisper) | VmHWM MB |",
            "|---|---:|---:|---:|---:|---:|"]
    for name in SECONDS:
        t, m = found["decode_ms"][name], found.get("memory", {}).get(name, {})
        out.append(f"| {name} | {t['n']} | {t['median']} | {t['p90']} | {m.get('VmRSS')} "
                   f"| {m.get('VmHWM')} |")
    return out


def main(argv: list[str] | None = None) -> int:
    import argparse
    import json
    import tempfile

    from voice.errors import TriageError

    parser = argparse.ArgumentParser(prog="python -m bench.second_engines",
                                     description=__doc__.split("\n\n")[0])
    parser.add_argument("--words-every", type=int, default=WORDS_EVERY,
                        help=f"take every Nth real yes/no/digit recording (default {WORDS_EVERY})")
    parser.add_argument("--voices", type=int, default=1,
                        help="voices of the spoken numbers, 1-4 (default 1)")
    parser.add_argument("--segments", type=int, default=3,
                        help="babble-alone segments, 4 turns each (default 3)")
    parser.add_argument("--answers-every", type=int, default=ANSWERS_EVERY,
                        help=f"take every Nth of the benchmark's 51 answers (default {ANSWERS_EVERY})")
    parser.add_argument("--json", type=Path, help="also write every row to this file")
    args = parser.parse_args(argv)
    try:
        with tempfile.TemporaryDirectory(prefix="second-engines-") as tmp:
            found = measure_second_engines(Path(tmp), args.words_every, args.voices, args.segments,
                                           args.answers_every)
            sample = sorted(Path(tmp).glob("*.wav"))[::max(1, len(found["rows"]) // MEMORY_TURNS)]
            found["memory"] = memory([(str(p), "pain_score", False) for p in sample])
    except TriageError as err:
        print(f"error: {err}")
        return 2
    print("\n".join(report(found)))
    print(f"\n{found['turns']} turns in {found['seconds']} s")
    if args.json:
        args.json.write_text(json.dumps(found, indent=1, default=str))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
