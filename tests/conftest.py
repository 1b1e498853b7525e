"""Shared fixtures: the small fixture content, the shipped content, and a session runner."""

from __future__ import annotations

import io
import json
import shutil
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from bench.evaluation.patient import load_phrasings
from bench.evaluation.patient import run_session as run_patient
from voice.app.text_io import ScriptedListener, TranscriptSpeaker
from voice.dialog.events import Events
from voice.dialog.session import Session, SessionSettings
from voice.triage.loader import load_content
from voice.understanding import Grammar

FIXTURES = Path(__file__).parent / "fixtures"
MINI = FIXTURES / "mini"


@pytest.fixture(scope="session")
def grammar() -> Grammar:
    return Grammar.load()


@pytest.fixture(scope="session")
def mini():
    return load_content(MINI)


@pytest.fixture(scope="session")
def shipped():
    return load_content()


@pytest.fixture
def mini_copy(tmp_path: Path) -> Path:
    """A writable copy of the fixture content, for breaking it."""
    target = tmp_path / "content"
    shutil.copytree(MINI, target)
    return target


class TypedSessions:
    """Every test patient of tests/vignettes/ through the real text session (`python -m voice --text
    --jsonl`, seed 0), each run once for the whole test run and shared by the modules that judge it."""

    def __init__(self):
        self.phrasings = load_phrasings()
        self.results = {}

    def of(self, vignette):
        if vignette.id not in self.results:
            self.results[vignette.id] = run_patient(vignette, seed=0, phrasings=self.phrasings)
        return self.results[vignette.id]

    def all(self, vignettes):
        """The sessions of all these patients, the missing ones run two at a time."""
        with ThreadPoolExecutor(max_workers=2) as pool:
            list(pool.map(self.of, [v for v in vignettes if v.id not in self.results]))
        return [self.results[v.id] for v in vignettes]


@pytest.fixture(scope="session")
def typed_sessions() -> TypedSessions:
    return TypedSessions()


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
