"""Text-to-speech time to first audio: the real Synthesizer (voice/speech/tts.py) on real prompts.

The Synthesizer renders a whole sentence before any of it plays, so its render time is the time
from "decide what to say" to the first sample being available. Each prompt is timed uncached
(the first time it is said), and then once more from the cache.
"""

from __future__ import annotations

import time
from typing import Any

from voice.triage.model import Content

from .scoring import median, percentile


def prompts(content: Content, limit: int | None = None) -> list[str]:
    """The question texts of the content (what the assistant says most), in a fixed order."""
    texts = [q.text for q in content.questions.values()]
    return texts[:limit] if limit else texts


def measure_tts(content: Content, limit: int | None = None) -> dict[str, Any]:
    """Median and p90 render time (ms) of question prompts, uncached and cached, and engine start."""
    from voice.speech import DEFAULT_RATE
    from voice.speech.tts import Synthesizer

    synth = Synthesizer(rate=DEFAULT_RATE)
    init_s = synth.warm_up()
    first, again, audio_s = [], [], []
    try:
        for text in prompts(content, limit):
            t = time.perf_counter()
            speech = synth.synthesize(text)
            first.append((time.perf_counter() - t) * 1000)
            audio_s.append(speech.seconds)
            t = time.perf_counter()
            synth.synthesize(text)
            again.append((time.perf_counter() - t) * 1000)
    finally:
        synth.close()
    return {
        "prompts": len(first),
        "engine_start_ms": round(init_s * 1000, 1),
        "first_ms": [round(v, 2) for v in first],
        "first_median_ms": median(first),
        "first_p90_ms": percentile(first, 90),
        "cached_median_ms": median(again),
        "audio_median_s": median(audio_s),
    }
