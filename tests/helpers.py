"""Helpers the tests share: the fixture content's folder, a typed session runner, event filters, a
spoken session through the command line."""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path

from bench.evaluation.patient import run_session as run_patient
from voice.app.text_io import ScriptedListener, TranscriptSpeaker
from voice.dialog.events import Events
from voice.dialog.session import Session, SessionSettings

FIXTURES = Path(__file__).parent / "fixtures"
MINI = FIXTURES / "mini"


def run_session(content, grammar, lines, settings=None, region=None):
    """Run a real session over typed lines; returns (events, session)."""
    out = io.StringIO()
    session = Session(content, grammar, ScriptedListener(lines), TranscriptSpeaker(None), Events(out),
                      region=region, settings=settings or SessionSettings())
    session.run()
    events = [json.loads(line) for line in out.getvalue().splitlines()]
    return events, session


def of(events, kind):
    return [e for e in events if e["event"] == kind]


def speak_session(vignette, phrasings, speak, said: Path):
    """The vignette's patient through `--audio-in - --fast` on PocketSphinx, saying what `speak`
    makes of each line; the result (checked to have run) and its transcript."""
    command = [sys.executable, "-m", "voice", "--audio-in", "-", "--fast", "--audio-out", str(said),
               "--jsonl", "--engine", "pocketsphinx"]
    spoken = run_patient(vignette, seed=1, phrasings=phrasings, command=command, speak=speak, timeout=240)
    transcript = "\n".join(f"  {t.get('question')}: said {t.get('said')!r}, heard {t.get('heard')!r}"
                           for t in spoken.turns)
    assert spoken.error is None, f"{spoken.error}\n{spoken.stderr_tail}\n{transcript}"
    return spoken, transcript


def understood_as(grammar, question, text):
    """The command or answer `text` means to `question`; None when it means nothing."""
    m = grammar.understand(text, question) if text else None
    if m is None:
        return None
    return m.command or m.answer


def heard(grammar, text, question):
    """What `text` means to `question`, a command marked as such ("command:stop"); None for nothing."""
    meaning = grammar.understand(text, question)
    if meaning is None:
        return None
    return f"command:{meaning.command}" if meaning.command else meaning.answer
