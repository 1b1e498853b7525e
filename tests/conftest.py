"""Shared fixtures: the grammar, the small fixture content, the shipped content, the typed test patients.

Plain helpers that tests import live in tests/helpers.py."""

from __future__ import annotations

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
    once for the whole test run and shared by the modules that judge it."""

    def __init__(self):
        self.phrasings = load_phrasings()
        self.results = {}

    def of(self, vignette):
        if vignette.id not in self.results:
            self.results[vignette.id] = run_patient(vignette, seed=0, phrasings=self.phrasings,
                                                    in_process=True)
        return self.results[vignette.id]

    def all(self, vignettes):
        """The sessions of all these patients."""
        return [self.of(v) for v in vignettes]


@pytest.fixture(scope="session")
def typed_sessions() -> TypedSessions:
    return TypedSessions()
