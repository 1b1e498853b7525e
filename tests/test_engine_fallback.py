"""`--engine auto` with no Whisper or Vosk model: it listens with PocketSphinx, says so on stderr (the
reason and the fix), and tells the person once, after the welcome, in the words of content/dialog.yaml
(`speech_basic`). Runs the real command with scripted audio in and every model folder empty."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import wave
from pathlib import Path

import pytest

from voice.speech.whisper_models import WHISPER_ENV
from voice.triage.loader import load_content

ROOT = Path(__file__).resolve().parents[1]


def _silence(path: Path, seconds: float = 1.0, rate: int = 16000) -> Path:
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(b"\0\0" * int(rate * seconds))
    return path


def _run(tmp_path: Path, extra: list[str]) -> subprocess.CompletedProcess:
    empty = tmp_path / "no-models"
    empty.mkdir()
    env = {k: v for k, v in os.environ.items() if k != "VOSK_MODEL_PATH"}
    # No Whisper model where the variable points, nor in the models folder; no Vosk model at home.
    env.update({WHISPER_ENV: str(empty), "XDG_DATA_HOME": str(empty), "HOME": str(tmp_path)})
    wav = _silence(tmp_path / "silence.wav")
    return subprocess.run([sys.executable, "-m", "voice", "--audio-in", "-", "--fast",
                           "--audio-out", str(tmp_path / "said"), "--engine", "auto", *extra],
                          input=f"{wav}\n", capture_output=True, text=True, env=env, cwd=ROOT, timeout=180)


@pytest.mark.speech
def test_auto_without_a_model_says_it_listens_with_pocketsphinx_once_after_the_welcome(tmp_path):
    done = _run(tmp_path, ["--jsonl"])
    assert done.returncode == 0, done.stderr
    assert "listening with PocketSphinx" in done.stderr and "models download whisper" in done.stderr
    events = [json.loads(line) for line in done.stdout.splitlines()]
    assert events[0]["event"] == "start" and events[0]["engine"] == "pocketsphinx"
    content = load_content()
    notice = " ".join(content.say("speech_basic").split())
    says = [e["text"] for e in events if e["event"] == "say"]
    assert says.count(notice) == 1
    assert content.say("welcome").split()[0] in says[0] and says[1] == notice
    # The first question comes after it.
    kinds = [e["event"] for e in events]
    assert kinds.index("ask") > kinds.index("say") + 1


@pytest.mark.speech
def test_the_notice_is_in_the_transcript_too(tmp_path):
    done = _run(tmp_path, [])
    assert done.returncode == 0, done.stderr
    content = load_content()
    assert " ".join(content.say("speech_basic").split()) in " ".join(done.stdout.split())
