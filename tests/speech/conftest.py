"""Fixtures the speech tests share."""

from __future__ import annotations

import pytest

from voice.speech.pocketsphinx import PocketSphinxRecognizer
from voice.triage.loader import load_content
from voice.understanding import Grammar


@pytest.fixture(scope="module")
def setup():
    """The shipped grammar and content, and one PocketSphinx recognizer per test module."""
    grammar = Grammar.load()
    content = load_content()
    rec = PocketSphinxRecognizer()
    yield grammar, content, rec
    rec.close()
