"""Speech in and out: recognizers, endpointing, listeners, text-to-speech, speakers, devices.

The names below are imported lazily so that text mode (and `import voice.speech`) never loads a
recognizer, PortAudio or espeak-ng.

- listening side (voice/speech/listening.py, recognizers.py and one module per engine with its
  helpers (wordgraph.py, whisper_input.py, closed_set.py, evidence.py, second_opinion.py),
  endpoint.py, vosk_models.py, whisper_models.py and downloads.py):
  `build_listener`, `download_model`, `describe_models`
- speaking side (voice/speech/speaking.py, rate_volume.py, tts.py, espeak.py, cues.py, devices.py,
  microphone.py):
  `build_speaker`, `list_devices`
"""

from __future__ import annotations

from importlib import import_module

DEFAULT_RATE = 150
"""Speech rate in words per minute: slower than espeak-ng's 175, for people in pain or hard of hearing."""

_LAZY = {
    "build_listener": "listening",
    "download_model": "vosk_models",
    "describe_models": "listening",
    "build_speaker": "speaking",
    "list_devices": "devices",
}


def __getattr__(name: str):
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'voice.speech' has no attribute {name!r}")
    return getattr(import_module(f"{__name__}.{module}"), name)


def __dir__() -> list[str]:
    return sorted([*globals(), *_LAZY])
