"""Bad input through the real command: bytes that are not text, audio that cannot be read.

Each case runs `python -m voice` as a person or a kiosk front end would, and reads its stdout as the
JSON-lines event stream of docs/protocol.md.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

CES = "ces_screen"  # the first question: the cauda equina warning signs


def _session(args: list[str], stdin: bytes, timeout: float = 120) -> tuple[list[dict], str, int]:
    done = subprocess.run([sys.executable, "-m", "voice", *args], input=stdin, capture_output=True,
                          timeout=timeout)
    lines = done.stdout.decode("utf-8").splitlines()  # raises if stdout is not UTF-8
    return [json.loads(line) for line in lines], done.stderr.decode("utf-8", "replace"), done.returncode


@pytest.mark.parametrize("typed", [
    b"no\xff\xfe\x00no\n",       # invalid UTF-8 and a NUL between two "no"s
    b"no\x00no\n",               # a NUL alone, which fuzzy matching would take as "no no"
    b"\x1b[Ano\n",               # an arrow key's escape sequence before the answer
    b"n\xc3o\n",                 # a broken two-byte sequence
])
def test_garbage_on_stdin_is_never_an_answer_and_the_stream_stays_json(typed):
    events, stderr, code = _session(["--text", "--jsonl"], typed + b"no\n")
    assert code == 0, stderr
    heard = [e for e in events if e["event"] == "heard"]
    assert heard[0]["question"] == CES and heard[0]["answer"] is None, heard[0]
    assert "\ufffd" in heard[0]["text"] and not any(ch < " " for ch in heard[0]["text"])
    assert [e["event"] for e in events].count("nomatch") >= 1
    # The question stays open: the plain "no" after it answers the same warning-sign question.
    assert heard[1]["question"] == CES and heard[1]["answer"] == "no"


def test_a_tab_or_a_windows_line_end_is_not_garbage():
    events, stderr, code = _session(["--text", "--jsonl"], b"no\tnot really\r\nnope\r\n")
    assert code == 0, stderr
    heard = [e for e in events if e["event"] == "heard"]
    assert [(h["text"], h["answer"]) for h in heard[:2]] == [("no not really", "no"), ("nope", "no")]
