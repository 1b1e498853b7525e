"""The offline guarantee: outside `models download`, the program opens no network connection.

A Python audit hook (installed in the child process through a sitecustomize module) sees every
socket the program creates, connects or resolves; network ones are refused and recorded. A whole
spoken session runs under it; `models download` is the positive control that the hook works.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from bench import testaudio
from bench.evaluation.patient import load_phrasings, run_session
from bench.evaluation.vignettes import load_vignettes

ROOT = Path(__file__).resolve().parents[1]

HOOK = textwrap.dedent('''
    import json, os, socket, sys

    _LOG = os.environ["VOICE_NET_LOG"]

    def _hook(event, args):
        if event in ("socket.connect", "socket.bind", "socket.sendto", "socket.sendmsg"):
            sock, address = args[0], args[1]
            if sock.family in (socket.AF_INET, socket.AF_INET6):
                _record(event, address)
        elif event in ("socket.getaddrinfo", "socket.gethostbyname", "socket.gethostbyaddr"):
            _record(event, args[0])

    def _record(event, what):
        with open(_LOG, "a") as f:
            f.write(json.dumps({"event": event, "what": repr(what), "argv": sys.argv}) + "\\n")
        raise PermissionError(f"network blocked by the offline test: {event} {what!r}")

    sys.addaudithook(_hook)
''')


@pytest.fixture
def blocked(tmp_path, monkeypatch):
    """Every Python child started from now on runs with the network blocked and recorded."""
    hook_dir = tmp_path / "hook"
    hook_dir.mkdir()
    (hook_dir / "sitecustomize.py").write_text(HOOK)
    log = tmp_path / "network.jsonl"
    monkeypatch.setenv("PYTHONPATH", str(hook_dir))
    monkeypatch.setenv("VOICE_NET_LOG", str(log))
    return log


def _attempts(log: Path) -> list[dict]:
    return [json.loads(line) for line in log.read_text().splitlines()] if log.exists() else []


@pytest.mark.speech
@pytest.mark.slow
def test_a_whole_spoken_session_opens_no_network_connection(blocked, tmp_path):
    # A patient whose session is short (five questions to an emergency outcome; disc_after_lifting
    # took eleven, a read-back and the offer): the whole command from start-up to the end, its
    # models, recognizers and voice, in half the audio.
    vignette = next(v for v in load_vignettes() if v.id == "foot_drop_one_leg")
    voice = testaudio.VOICES[1]
    command = [sys.executable, "-m", "voice", "--audio-in", "-", "--fast", "--audio-out",
               str(tmp_path / "said"), "--jsonl"]
    result = run_session(vignette, seed=2, phrasings=load_phrasings(), command=command, timeout=240,
                         speak=lambda text: str(testaudio.answer_file(tmp_path / "answers", text, voice)))
    assert result.error is None, f"{result.error}\n{result.stderr_tail}"
    assert result.disposition is not None and result.questions >= 5
    assert _attempts(blocked) == []


def test_text_mode_and_check_open_no_network_connection(blocked):
    for args, stdin in ((["check"], ""), (["--text", "--jsonl"], "no\n" * 30)):
        done = subprocess.run([sys.executable, "-m", "voice", *args], input=stdin, capture_output=True,
                              text=True, cwd=ROOT, timeout=60)
        assert done.returncode == 0, done.stderr
    assert _attempts(blocked) == []


def test_the_hook_sees_models_download(blocked, tmp_path):
    """Positive control: the one command that may use the network is seen (and here refused)."""
    done = subprocess.run([sys.executable, "-m", "voice", "models", "download", "--dir",
                           str(tmp_path / "models")], capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert done.returncode != 0
    assert "Traceback" not in done.stderr and done.stderr.strip()
    assert any(a["event"].startswith("socket.") for a in _attempts(blocked))
