"""Event records are typed both ways: what the stream says reads back into the record it was written
from, and the listeners get the same records the stream was written from."""

from __future__ import annotations

import io
import json

import pytest

from voice.app.config import Config
from voice.app.kiosk import Kiosk
from voice.app.text_io import ScriptedListener, TranscriptSpeaker
from voice.dialog.events import (
    Ask,
    End,
    Error,
    Events,
    Heard,
    KioskError,
    Outcome,
    Record,
    Start,
)
from voice.dialog.session import Session, SessionSettings


def _typed_session(content, grammar, lines) -> tuple[list[dict], list[Record]]:
    out = io.StringIO()
    events = Events(out)
    seen: list[Record] = []
    events.listeners.append(seen.append)
    Session(content, grammar, ScriptedListener(lines), TranscriptSpeaker(None), events,
            settings=SessionSettings()).run()
    return [json.loads(line) for line in out.getvalue().splitlines()], seen


def test_every_event_of_a_typed_session_reads_back_into_the_record_it_was_written_from(shipped, grammar):
    lines = ["no", "why", "asdf qwer", "", "45", "not sure"] + ["no"] * 40
    written, seen = _typed_session(shipped, grammar, lines)
    assert len(written) == len(seen) > 20
    kinds = {type(r) for r in seen}
    assert {Start, Ask, Heard, Outcome, End} <= kinds
    for line, record in zip(written, seen, strict=True):
        back = Record.from_event(line)
        assert back.to_event() == line
        # The listener's record differs only in what never goes on the stream (a heard's speech end).
        assert back.fields() == record.fields() and back.t == record.t and type(back) is type(record)


def test_a_kiosk_stream_reads_back_both_error_records(mini, grammar, tmp_path):
    out = io.StringIO()
    events = Events(out)
    failing = tmp_path / "alert.sh"
    failing.write_text("#!/bin/sh\nexit 3\n")
    failing.chmod(0o755)
    kiosk = Kiosk(mini, grammar, ScriptedListener(["start", "yes"]), TranscriptSpeaker(None), events,
                  None, SessionSettings(), Config(alert_command=str(failing)), out=io.StringIO(),
                  err=io.StringIO(), sleep=lambda s: None)
    kiosk.run()
    records = [Record.from_event(json.loads(line)) for line in out.getvalue().splitlines()]
    assert any(isinstance(r, KioskError) for r in records)
    assert [r.to_event() for r in records] == [json.loads(line) for line in out.getvalue().splitlines()]
    session_error = {"event": "error", "t": 1.0, "message": "x", "question": "q", "input": "a.wav"}
    assert Record.from_event(session_error) == Error("x", "q", "a.wav", t=1.0)
    assert Record.from_event({"event": "error", "t": 1.0, "message": "x"}) == KioskError("x", t=1.0)


def test_a_record_type_reads_only_its_own_events_and_names_what_does_not_fit():
    assert Heard.is_type("heard") and not Heard.is_type("ask") and End.is_type("end")
    assert End.from_event({"event": "end", "t": 2.0, "reason": "complete"}) == End("complete", t=2.0)
    with pytest.raises(ValueError, match="'end' is not an event of Heard"):
        Heard.from_event({"event": "end", "t": 2.0, "reason": "complete"})
    with pytest.raises(ValueError, match="'shout' is not an event"):
        Record.from_event({"event": "shout", "t": 0.0})
    with pytest.raises(ValueError, match="fit no record"):
        Record.from_event({"event": "end", "t": 0.0, "reason": "complete", "volume": 11})
    with pytest.raises(ValueError, match="fit no record"):
        Record.from_event({"event": "ask", "t": 0.0, "question": "q"})
