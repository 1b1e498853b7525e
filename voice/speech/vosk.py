"""Vosk (Kaldi) with an explicit model folder and a grammar per turn.

`KaldiRecognizer(model, 16000, json.dumps(phrases + ["[unk]"]))`: a grammar that Vosk turns
into a small language model, so it can recombine phrases; the text is mapped back to the
closest allowed sentence with rapidfuzz. Confidence is the mean per-word `conf` times the
closeness of that mapping; `[unk]` or no close sentence is a no match.
"""

from __future__ import annotations

import json
import logging
import time
from collections import OrderedDict
from pathlib import Path

import numpy as np

from voice.errors import ModelError
from voice.ports import Expectation

from .recognizers import GRAMMAR_CACHE, Hypothesis, _StreamMixin, closest_phrase

_LOG = logging.getLogger(__name__)


def _import_vosk():
    try:
        import vosk
    except (ImportError, OSError) as err:
        raise ModelError(f"Vosk is not installed ({err})", fix="pip install vosk") from None
    vosk.SetLogLevel(-1)
    return vosk


def load_vosk_model(path: str | Path):
    """Load a Vosk model folder (never by language name: that would go to the network)."""
    vosk = _import_vosk()
    path = Path(path)
    if not (path / "am").is_dir() or not (path / "conf").is_dir():
        raise ModelError("not a Vosk model folder (no am/ and conf/ inside)", where=str(path),
                         fix="point --model at the unzipped folder, "
                             "e.g. ~/.cache/vosk/vosk-model-small-en-us-0.15")
    try:
        return vosk.Model(str(path))
    except Exception as err:  # vosk raises a bare Exception when Kaldi fails to load
        raise ModelError(f"Vosk could not load the model: {err}", where=str(path),
                         fix="download it again: voice-triage models download") from None


class VoskRecognizer(_StreamMixin):
    """Vosk (Kaldi) with an explicit model folder and a grammar per turn."""

    engine = "vosk"

    def __init__(self, model_path: str | Path, model=None, min_similarity: float = 70.0):
        self._vosk = _import_vosk()
        self.model = str(model_path)
        self._model = model if model is not None else load_vosk_model(model_path)
        self._has_unk = self._model.vosk_model_find_word("[unk]") >= 0
        self.min_similarity = min_similarity
        self._recognizers: OrderedDict[tuple, object] = OrderedDict()
        self._rec = None
        self._phrases: tuple[str, ...] = ()
        self.compile_ms: dict[str, float] = {}

    def _recognizer(self, expect: Expectation | None):
        key = expect.phrases if expect is not None else None
        rec = self._recognizers.get(key)
        if rec is not None:
            self._recognizers.move_to_end(key)
            rec.Reset()
            return rec
        started = time.perf_counter()
        if expect is None:
            rec = self._vosk.KaldiRecognizer(self._model, 16000)
        else:
            known = [p for p in expect.phrases
                     if all(self._model.vosk_model_find_word(w) >= 0 for w in p.split())]
            if len(known) < len(expect.phrases):
                _LOG.info("Vosk model lacks words of %d sentences for %s", len(expect.phrases) - len(known),
                          expect.question)
            if not known:
                raise ModelError(f"the Vosk model knows none of the sentences for {expect.question!r}",
                                 where=self.model, fix="use a model in the language of the grammar (English)")
            grammar = known + (["[unk]"] if self._has_unk else [])
            rec = self._vosk.KaldiRecognizer(self._model, 16000, json.dumps(grammar, ensure_ascii=False))
            self.compile_ms[expect.question] = (time.perf_counter() - started) * 1000
        rec.SetWords(True)
        self._recognizers[key] = rec
        while len(self._recognizers) > GRAMMAR_CACHE:
            self._recognizers.popitem(last=False)
        return rec

    def prepare(self, expect: Expectation) -> None:
        self._recognizer(expect)

    def start(self, expect: Expectation | None) -> None:
        self._rec = self._recognizer(expect)
        self._phrases = expect.phrases if expect is not None else ()
        self._words: list[dict] = []
        self._texts: list[str] = []

    def _collect(self, raw: str) -> None:
        result = json.loads(raw)
        if result.get("text"):
            self._texts.append(result["text"])
        self._words.extend(result.get("result", []))

    def feed(self, frame: np.ndarray) -> None:
        if self._rec.AcceptWaveform(np.asarray(frame, dtype=np.int16).tobytes()):
            self._collect(self._rec.Result())

    def partial(self) -> str:
        done = " ".join(self._texts)
        now = json.loads(self._rec.PartialResult()).get("partial", "")
        return " ".join(t for t in (done, now) if t)

    def finish(self) -> Hypothesis:
        started = time.perf_counter()
        self._collect(self._rec.FinalResult())
        text = " ".join(self._texts).strip()
        confs = [float(w.get("conf", 0.0)) for w in self._words if w.get("word") != "[unk]"]
        mean_conf = sum(confs) / len(confs) if confs else 0.0
        elapsed = (time.perf_counter() - started) * 1000
        if not self._phrases:
            return Hypothesis(text, mean_conf, elapsed)
        if not text or "[unk]" in text.split():
            return Hypothesis("", 0.0, elapsed)
        phrase, similarity = closest_phrase(text, self._phrases)
        if phrase is None or similarity < self.min_similarity:
            return Hypothesis("", 0.0, elapsed)
        return Hypothesis(phrase, mean_conf * similarity / 100.0, elapsed)

    def close(self) -> None:
        self._recognizers.clear()
        self._rec = None
        self._model = None


__all__ = ["VoskRecognizer", "load_vosk_model"]
