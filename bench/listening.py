"""Recognition figures of the listening side: `python -m bench.listening [--voices 6]`.

PocketSphinx through the real `AudioListener` (scripted audio, as fast as it decodes) on answers
synthesized by espeak-ng (bench.testaudio), clean and in babble at 10 dB: how many in-grammar
answers are understood (confidently, or after confirming), how many out-of-grammar sentences are
accepted confidently, the decode time after the end of speech, grammar compile times and memory.
"""

from __future__ import annotations

import argparse
import io
import logging
import os
import tempfile
import time
from pathlib import Path
from statistics import median

from voice.ports import CONFIRM_BELOW
from voice.speech.listening import AudioListener
from voice.speech.pocketsphinx import PocketSphinxRecognizer
from voice.speech.scripted import ScriptedAudioSource
from voice.triage.loader import load_content
from voice.understanding import Grammar

from . import testaudio as ta
from .machine import rss_mb

IN_GRAMMAR = (
    ("yes_no", "yes"), ("yes_no", "no"), ("yes_no", "not sure"), ("yes_no", "yeah it does"),
    ("yes_no", "no i don't"), ("yes_no", "i don't know"), ("yes_no", "nope"), ("yes_no", "i think so"),
    ("number", "sixty seven"), ("number", "i'm forty two"),
    ("pain", "seven out of ten"), ("pain", "about five"),
    ("duration", "about three weeks"), ("duration", "two days"), ("duration", "six months"),
    ("yes_no", "say that again"), ("yes_no", "slower"), ("yes_no", "i need help now"), ("yes_no", "go back"),
)
OUT_OF_GRAMMAR = (
    ("yes_no", "the weather is lovely today"), ("yes_no", "banana"), ("number", "my dog likes to run"),
    ("yes_no", "can you call my sister"), ("duration", "where is the bathroom"),
    ("pain", "i had toast for breakfast"), ("yes_no", "hello there"), ("number", "what time is it"),
)
QUESTIONS = {"yes_no": "ces_screen", "number": "age", "pain": "pain_score", "duration": "duration"}


def measure(voices: int = 6, snrs: tuple = (None, 10.0)) -> None:
    """Print recognition figures for PocketSphinx on synthesized answers (see module docstring)."""
    t0 = time.perf_counter()
    rec = PocketSphinxRecognizer()
    load_s = time.perf_counter() - t0
    grammar = Grammar.load()
    content = load_content()
    qs = {k: content.questions[v] for k, v in QUESTIONS.items()}
    t0 = time.perf_counter()
    for q in content.questions.values():
        rec.prepare(grammar.expectation(q))
    all_s = time.perf_counter() - t0
    print(f"PocketSphinx load {load_s * 1000:.0f} ms; all {len(content.questions)} question grammars "
          f"compiled in {all_s * 1000:.0f} ms; largest ({max(rec.compile_ms, key=rec.compile_ms.get)}) "
          f"{max(rec.compile_ms.values()):.0f} ms; RSS {rss_mb():.0f} MB")
    chosen = ta.VOICES[:voices]
    tmp = Path(tempfile.mkdtemp(prefix="measure-"))
    for snr in snrs:
        right = confirmed = rejected = wrong_conf = 0
        decode: list[float] = []
        latency: list[float] = []
        total = 0
        for i, v in enumerate(chosen):
            for kind, text in IN_GRAMMAR:
                q = qs[kind]
                path = ta.answer_file(tmp, text, v, snr, seed=i)
                src = ScriptedAudioSource(io.StringIO(f"{path}\n"), fast=True)
                lis = AudioListener(src, rec)
                utt = lis.listen(grammar.expectation(q))
                end_t = time.monotonic()
                total += 1
                if utt.speech_end is not None:
                    # In real time the frames read after the last speech frame take 10 ms each.
                    after = lis.last_turn["frames"] - 1 - lis.last_turn["last_speech_frame"]
                    latency.append((end_t - utt.speech_end) * 1000 + after * 10)
                if lis.last_turn["decode_ms"] is not None:
                    decode.append(lis.last_turn["decode_ms"])
                want = grammar.understand(text, q)
                got = grammar.understand(utt.text, q) if utt.text else None
                if got is None:
                    rejected += 1
                elif got == want:
                    if (utt.confidence or 0) >= CONFIRM_BELOW:
                        right += 1
                    else:
                        confirmed += 1
                elif (utt.confidence or 0) >= CONFIRM_BELOW:
                    wrong_conf += 1
        fa = fa_low = 0
        n_oog = 0
        for i, v in enumerate(chosen):
            for kind, text in OUT_OF_GRAMMAR:
                path = ta.answer_file(tmp, text, v, snr, seed=i)
                lis = AudioListener(ScriptedAudioSource(io.StringIO(f"{path}\n"), fast=True), rec)
                utt = lis.listen(grammar.expectation(qs[kind]))
                n_oog += 1
                if utt.text and (utt.confidence or 0) >= CONFIRM_BELOW:
                    fa += 1
                elif utt.text:
                    fa_low += 1
        label = "clean" if snr is None else f"babble {snr:g} dB"
        print(f"{label}: {total} answers ({len(chosen)} voices): understood {right} "
              f"({100 * right / total:.1f}%), understood after confirming {confirmed}, rejected {rejected}, "
              f"wrong and confident {wrong_conf}; "
              f"understood incl. confirmation {100 * (right + confirmed) / total:.1f}%")
        print(f"  out-of-grammar: {n_oog} sentences, accepted confidently {fa} ({100 * fa / n_oog:.1f}%), "
              f"sent to confirmation {fa_low}, rejected {n_oog - fa - fa_low}")
        if decode:
            print(f"  decode after end of speech: median {median(decode):.0f} ms, max {max(decode):.0f} ms; "
                  "end of speech -> result (hangover in audio time + processing) "
                  f"median {median(latency):.0f} ms")
    print(f"RSS at the end {rss_mb():.0f} MB")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.listening",
                                     description="Measure the listening side on synthesized answers.")
    parser.add_argument("--voices", type=int, default=6, help="test voices to speak the answers (default 6)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    measure(args.voices)


if __name__ == "__main__":  # pragma: no cover - a measuring tool
    main()
    os._exit(0)
