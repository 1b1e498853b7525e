"""Shared fixtures: the grammar, the small fixture content, the shipped content, the typed test patients.

Plain helpers that tests import live in tests/helpers.py."""

from __future__ import annotations

import os
import pickle
import shutil
from pathlib import Path

import pytest
from helpers import MINI

from bench.evaluation.patient import load_phrasings
from bench.evaluation.patient import run_session as run_patient
from voice.triage.loader import load_content
from voice.understanding import Grammar

LONGEST_FIRST = (
    "tests/test_bench.py", "tests/speech/test_whisper.py", "tests/speech/test_device_loop.py",
    "tests/test_spoken_sessions.py", "tests/speech/test_recognition.py", "tests/test_properties.py",
    "tests/speech/test_recognition_rates.py", "tests/test_web_kiosk.py", "tests/speech/test_determinism.py",
    "tests/test_bad_input.py", "tests/test_install.py", "tests/test_vignettes.py",
)
"""The files that take longest, longest first (`--durations` in docs/testing.md). tools/test.sh hands
files to its two workers in collection order (`--no-loadscope-reorder`), so the long ones start
first and the short ones fill in at the end instead of one worker finishing a long file alone."""


def pytest_collection_modifyitems(config, items):
    rank = {name: i for i, name in enumerate(LONGEST_FIRST)}
    items.sort(key=lambda item: rank.get(item.nodeid.split("::")[0], len(rank)))


@pytest.fixture(scope="session")
def grammar() -> Grammar:
    return Grammar.load()


@pytest.fixture(scope="session")
def mini():
    return load_content(MINI)


@pytest.fixture(scope="session")
def shipped():
    return load_content()


@pytest.fixture(scope="session")
def questions(shipped):
    """The shipped content's questions, by id (read only)."""
    return shipped.questions


@pytest.fixture
def mini_copy(tmp_path: Path) -> Path:
    """A writable copy of the fixture content, for breaking it."""
    target = tmp_path / "content"
    shutil.copytree(MINI, target)
    return target


class TypedSessions:
    """Every test patient of tests/vignettes/ through the real text session of `python -m voice --text
    --jsonl` (seed 0), run inside this process (bench.in_process: the command's own session without
    its 1.3 s of start-up; tests/test_vignettes.py checks a few against the command itself), each run
    once for the whole test run and shared by the modules that judge it. Under pytest-xdist the
    workers of one run share what they have run through a file (`shared`), so a patient whose session
    one worker has finished is not run again by the next."""

    def __init__(self, shared: Path | None = None):
        self.phrasings = load_phrasings()
        self.results = {}
        self.shared = shared
        self._read_at = None

    def of(self, vignette):
        if vignette.id not in self.results:
            self._read_shared()
        if vignette.id not in self.results:
            self.results[vignette.id] = run_patient(vignette, seed=0, phrasings=self.phrasings,
                                                    in_process=True)
        return self.results[vignette.id]

    def all(self, vignettes):
        """The sessions of all these patients."""
        sessions = [self.of(v) for v in vignettes]
        self._write_shared()
        return sessions

    def _read_shared(self) -> None:
        if self.shared is None or not self.shared.exists():
            return
        changed = self.shared.stat().st_mtime_ns
        if changed != self._read_at:
            self._read_at = changed
            self.results = {**pickle.loads(self.shared.read_bytes()), **self.results}

    def _write_shared(self) -> None:
        if self.shared is None:
            return
        self._read_shared()
        part = self.shared.with_name(f"{self.shared.name}.{os.getpid()}")
        part.write_bytes(pickle.dumps(self.results))
        os.replace(part, self.shared)  # whole or not at all, for the other workers
        self._read_at = self.shared.stat().st_mtime_ns


@pytest.fixture(scope="session")
def typed_sessions(tmp_path_factory) -> TypedSessions:
    # Each xdist worker's temporary folder sits in the run's own: the file is new for every run.
    shared = tmp_path_factory.getbasetemp().parent / "typed_sessions.pickle"
    return TypedSessions(shared if os.environ.get("PYTEST_XDIST_WORKER") else None)
