"""Helpers the tests share: the fixture content's folder, a typed session runner, event filters."""

from __future__ import annotations

import io
import json
from pathlib import Path

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
