"""Bad input through the real command: bytes that are not text, audio that cannot be read.

Each case runs `python -m voice` as a person or a kiosk front end would, and reads its stdout as the
JSON-lines event stream of docs/protocol.md.
"""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import threading

import pytest

FIRST = "age"  # the first question (it chooses a child's or an adult's questions)
CES = "ces_screen"  # the first warning-sign question, after the age
AGE = b"40\n"


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
    events, stderr, code = _session(["--text", "--jsonl"], AGE + typed + b"no\n")
    assert code == 0, stderr
    heard = [e for e in events if e["event"] == "heard" and e["question"] != FIRST]
    assert heard[0]["question"] == CES and heard[0]["answer"] is None, heard[0]
    assert "\ufffd" in heard[0]["text"] and not any(ch < " " for ch in heard[0]["text"])
    assert [e["event"] for e in events].count("nomatch") >= 1
    # The question stays open: the plain "no" after it answers the same warning-sign question.
    assert heard[1]["question"] == CES and heard[1]["answer"] == "no"


def test_a_tab_or_a_windows_line_end_is_not_garbage():
    events, stderr, code = _session(["--text", "--jsonl"], AGE + b"no\tnot really\r\nnope\r\n")
    assert code == 0, stderr
    heard = [e for e in events if e["event"] == "heard" and e["question"] != FIRST]
    assert [(h["text"], h["answer"]) for h in heard[:2]] == [("no not really", "no"), ("nope", "no")]


@pytest.mark.speech
def test_unreadable_audio_files_give_an_error_event_and_the_question_again(tmp_path):
    from voice.triage.loader import load_content

    (tmp_path / "empty.wav").write_bytes(b"")
    (tmp_path / "notes.wav").write_text("this is not audio\n")
    (tmp_path / "folder.wav").mkdir()
    bad = [tmp_path / "missing.wav", tmp_path / "empty.wav", tmp_path / "notes.wav", tmp_path / "folder.wav"]
    stdin = "".join(f"{p}\n" for p in bad).encode()
    events, stderr, code = _session(["--audio-in", "-", "--fast", "--audio-out", str(tmp_path / "said"),
                                     "--jsonl", "--engine", "pocketsphinx"], stdin)
    assert code == 0, stderr
    assert "Traceback" not in stderr
    errors = [e for e in events if e["event"] == "error"]
    assert [e["input"] for e in errors] == [str(p) for p in bad]
    assert all(e["question"] == FIRST and "fix: " in e["message"] for e in errors)
    assert "No such file" in errors[0]["message"] and "not a usable WAV" in errors[1]["message"]
    assert "Is a directory" in errors[3]["message"]
    content = load_content()
    again = f"{content.say('audio_unreadable')} {content.questions[FIRST].rephrase}"
    kinds = [e["event"] for e in events]
    for i, e in enumerate(events):
        if e["event"] == "error":
            assert events[i + 1]["event"] == "say" and events[i + 1]["text"] == " ".join(again.split())
    assert "noinput" not in kinds and "heard" not in kinds  # nothing was heard: not a silent turn
    assert sum(line.startswith("WARNING") for line in stderr.splitlines()) == 4


def test_after_nomatch_and_noinput_the_same_question_is_open_as_protocol_md_says():
    from pathlib import Path

    protocol = (Path(__file__).resolve().parents[1] / "docs" / "protocol.md").read_text(encoding="utf-8")
    assert "After a `noinput` or `nomatch` the question of the last `ask` is still the one being answered" \
        in protocol
    events, stderr, code = _session(["--text", "--jsonl"], b"banana\n\n40\n")
    assert code == 0, stderr
    kinds = [e["event"] for e in events]
    first_ask = kinds.index("ask")
    answered = next(i for i, e in enumerate(events) if e["event"] == "heard" and e["answer"] == 40)
    between = events[first_ask + 1:answered]
    assert [e["event"] for e in between if e["event"] != "say"] == ["heard", "nomatch", "noinput"]
    assert events[answered]["question"] == events[first_ask]["question"] == FIRST


def _stopped_by(sig: int, args: list[str], first: str) -> tuple[list[dict], str, int]:
    """Start the command, wait until it asks its first question, then send it `sig`."""
    proc = subprocess.Popen([sys.executable, "-m", "voice", *args], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    proc.stdin.write(first)
    proc.stdin.flush()
    lines = []
    watchdog = threading.Timer(60, proc.kill)  # a session that never asks again fails, never hangs
    watchdog.start()
    for line in proc.stdout:  # the answer is taken and the next question asked: mid-session
        lines.append(line)
        if '"event": "ask"' in line and '"heard"' in "".join(lines):
            break
    watchdog.cancel()
    proc.send_signal(sig)
    out, err = proc.communicate(timeout=30)
    lines += out.splitlines()
    return [json.loads(line) for line in lines if line.strip()], err, proc.returncode


@pytest.mark.parametrize("sig, status", [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_ctrl_c_and_sigterm_end_with_the_safety_line_and_their_exit_status(sig, status):
    from voice.triage.loader import load_content

    events, stderr, code = _stopped_by(sig, ["--text", "--jsonl"], "40\n")
    assert code == status, stderr
    assert "Traceback" not in stderr
    stopped = " ".join(load_content().say("stopped").split()).replace("{urgent_line}", "NHS 111") \
        .replace("{emergency_number}", "999")
    assert [e["event"] for e in events[-2:]] == ["say", "end"]
    assert events[-2]["text"] == stopped and events[-1]["reason"] == "stopped"


@pytest.mark.parametrize("sig, status", [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_a_stopped_kiosk_exits_with_the_signal_status(sig, status):
    events, stderr, code = _stopped_by(sig, ["--text", "--jsonl", "--kiosk"], "start\n40\n")
    assert code == status, stderr
    assert "Traceback" not in stderr
    assert [e["event"] for e in events][-2:] == ["say", "end"]
    assert any(e["event"] == "reset" for e in events)


def test_end_of_input_is_a_clean_exit_with_the_safety_line():
    # Ctrl-D at a terminal, or a script that ends, before the advice: the person still hears what
    # to do if it gets worse.
    from voice.triage.loader import load_content

    events, stderr, code = _session(["--text", "--jsonl"], b"no\n")
    assert code == 0, stderr
    stopped = " ".join(load_content().say("stopped").split()).replace("{urgent_line}", "NHS 111") \
        .replace("{emergency_number}", "999")
    assert [e["event"] for e in events[-2:]] == ["say", "end"]
    assert events[-2]["text"] == stopped
    assert events[-1] == {**events[-1], "event": "end", "reason": "stopped"}


@pytest.mark.speech
def test_audio_in_reads_wav_paths_from_a_file_and_a_missing_list_is_a_clear_error(tmp_path):
    from bench import testaudio as ta

    answer = ta.answer_file(tmp_path, "no", ta.VOICES[0])
    listing = tmp_path / "answers.txt"
    listing.write_text(f"{answer}\n", encoding="utf-8")
    events, stderr, code = _session(["--audio-in", str(listing), "--fast", "--audio-out",
                                     str(tmp_path / "said"), "--jsonl", "--engine", "pocketsphinx"], b"")
    assert code == 0, stderr
    # The WAV the file names was heard as the answer to the first question (what PocketSphinx made of
    # a first answer is its own matter: tests/speech), then the list ended and so did the session.
    heard = [e for e in events if e["event"] == "heard"]
    assert len(heard) == 1 and heard[0]["question"] == FIRST and heard[0]["text"], heard
    assert not [e for e in events if e["event"] == "error"]
    assert events[-1]["event"] == "end"

    events, stderr, code = _session(["--audio-in", str(tmp_path / "no-such-list.txt"), "--jsonl"], b"no\n")
    assert code == 2 and not events
    assert "--audio-in: cannot read the list of WAV files" in stderr and "fix: " in stderr
    assert "Traceback" not in stderr
