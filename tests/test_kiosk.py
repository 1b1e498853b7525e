"""Kiosk mode end to end: several people in a row, walk-away, stop, emergency alert, errors,
privacy across people, accessibility commands, settings, and the command line."""

from __future__ import annotations

import gc
import io
import json
import os
import shlex
import shutil
import stat
import subprocess
import sys
import time
import types
from pathlib import Path

import pytest
from helpers import MINI, of

from voice.app.alert import ALERT_ENV
from voice.app.config import Config, load_config
from voice.app.keys import KeyWatcher
from voice.app.kiosk import Kiosk
from voice.app.screen import CLEAR_SCROLLBACK, Screen
from voice.app.settings import KIOSK_WALKAWAY_AFTER
from voice.app.text_io import ScriptedListener, TranscriptSpeaker
from voice.dialog.events import Events
from voice.errors import AudioDeviceError, ConfigError, EndOfInput, InputError
from voice.triage.model import Disposition

ROOT = Path(__file__).resolve().parents[1]

# People, as typed lines (None is silence). Each starts with a wake phrase.
SELF_CARE = ["start", "no", "no", "35", "yes", "3 weeks", "yes", "no"]  # the last: no to the offer of more
WALK_AWAY = ["hello", "no", None, None, None]
EMERGENCY = ["start", "yes"]
STOPS = ["start", "no", "I'm done"]


class FakeClock:
    """A clock that moves on by `step` seconds each time it is read."""

    def __init__(self, step: float = 0.0):
        self.now = 1000.0
        self.step = step

    def __call__(self) -> float:
        self.now += self.step
        return self.now


def run_kiosk(content, grammar, lines, config=None, screen=None, listener=None, speaker=None, **kw):
    out = io.StringIO()
    events = Events(out)
    if screen is not None:
        events.listeners.append(screen)
    err = io.StringIO()
    kiosk = Kiosk(content, grammar, listener or ScriptedListener(lines), speaker or TranscriptSpeaker(None),
                  events, config=config or Config(), screen=screen, err=err,
                  out=kw.pop("out", io.StringIO()), sleep=kw.pop("sleep", lambda s: None), **kw)
    kiosk.run()
    kiosk.stderr = err.getvalue()
    return [json.loads(line) for line in out.getvalue().splitlines()], kiosk


def people(events):
    """The events of each person: from the wake `heard` to their `reset`."""
    result, current = [], None
    for e in events:
        if e["event"] == "heard" and e.get("wake"):
            current = []
        if current is not None:
            current.append(e)
        if e["event"] == "reset":
            result.append(current or [])
            current = None
    return result


def alert_script(tmp_path: Path, body: str = "") -> str:
    """An alert command that records its argv and environment in tmp_path/alert.json."""
    script = tmp_path / "alert.py"
    script.write_text(
        "import json, os, sys\n"
        f"json.dump({{'argv': sys.argv, 'env': dict(os.environ)}}, "
        f"open({str(tmp_path / 'alert.json')!r}, 'w'))\n"
        + body
    )
    return f"{shlex.quote(sys.executable)} {shlex.quote(str(script))}"


# ---------------------------------------------------------------- several people in a row


def test_several_people_in_a_row(mini, grammar, tmp_path):
    config = Config(alert_command=alert_script(tmp_path))
    events, kiosk = run_kiosk(mini, grammar, SELF_CARE + WALK_AWAY + EMERGENCY + STOPS, config)
    kinds = [e["event"] for e in events]
    # One start first, one end last; the Session's own start and end are not passed on.
    assert kinds.count("start") == 1 and kinds[0] == "start" and events[0]["kiosk"] is True
    assert kinds.count("end") == 1 and kinds[-1] == "end" and events[-1]["reason"] == "stopped"
    assert [e["reason"] for e in of(events, "reset")] == ["complete", "timeout", "complete", "stopped"]
    assert len(of(events, "idle")) == 5  # before each person, and the last one that EOF ends
    # Each person: idle, then the dialog, then reset; nothing of a person after their reset.
    per_person = people(events)
    assert len(per_person) == 4
    for person in per_person:
        assert person[0]["event"] == "heard" and person[-1]["event"] == "reset"
        assert (person[1] == {**person[1], "event": "say"}
                and person[1]["text"].startswith("Hello. Let's begin."))
        assert person[2]["event"] == "ask" and person[2]["question"] == "ces_screen"
    idle_positions = [i for i, k in enumerate(kinds) if k == "idle"]
    reset_positions = [i for i, k in enumerate(kinds) if k == "reset"]
    assert all(r < i for r, i in zip(reset_positions, idle_positions[1:], strict=True))
    outcomes = [e["disposition"] for e in of(events, "outcome")]
    assert outcomes == ["self_care", "emergency"]
    # The walk-away: shorter patience, "Are you still there?", then timeout.
    walk = per_person[1]
    assert [e["question"] for e in of(walk, "ask")][-1] == "still_there"
    assert len(of(walk, "noinput")) == KIOSK_WALKAWAY_AFTER + 1
    # The emergency ran the alert and told the person.
    (alert,) = of(events, "alert")
    assert alert["status"] == "sent"
    assert (tmp_path / "alert.json").exists()
    said = [e["text"] for e in of(per_person[2], "say")]
    assert said.index(alert["text"]) > said.index("Call 999 now or go to A and E.")
    assert "help" not in kiosk.stderr and kiosk.failures == 0


def test_stop_resets_at_once_and_the_next_person_starts_fresh(mini, grammar):
    events, _ = run_kiosk(mini, grammar,
                          ["start", "stop", "start", "no", "no", "35", "yes", "3 weeks", "yes"])
    first, second = people(events)
    assert first[-1]["reason"] == "stopped"
    assert [e["question"] for e in of(first, "ask")] == ["ces_screen"]
    assert of(second, "outcome")[0]["disposition"] == "self_care"


def test_eof_mid_session_resets_then_ends(mini, grammar):
    events, kiosk = run_kiosk(mini, grammar, ["start", "no"])
    kinds = [e["event"] for e in events]
    assert kinds[-3:] == ["reset", "say", "end"]
    assert kinds.count("idle") == 1 and kinds.count("end") == 1
    assert of(events, "reset")[0]["reason"] == "stopped"


def test_idle_invites_again_every_so_often(mini, grammar):
    # The clock moves 10 s per reading: the invite comes back after a minute of silence.
    invite = mini.say("idle_invite")
    events, _ = run_kiosk(mini, grammar, [None] * 20, Config(idle_invite_every=60), clock=FakeClock(10))
    invites = [e for e in of(events, "say") if e["text"] == invite]
    assert 2 <= len(invites) <= 6
    assert len(of(events, "idle")) == 1
    assert of(events, "idle")[0]["text"] == invite
    # Chatter that is not a wake phrase does not start anything; "repeat" says the invite again.
    events, _ = run_kiosk(mini, grammar, ["what is this", "repeat"])
    assert not of(events, "ask")
    assert [e["text"] for e in of(events, "say")].count(invite) == 2


def test_idle_listens_only_for_what_it_acts_on(grammar):
    # The idle kiosk acts on wake phrases, "I need help now" and "repeat": other commands are left
    # out of its grammar so that "start" cannot be heard as "stop".
    phrases = set(grammar.expectation(None).phrases)
    assert {"start", "hello", "i need help now", "repeat"} <= phrases
    assert not {"stop", "go back", "louder", "slower"} & phrases
    assert grammar.understand("stop", None) is None


def test_emergency_words_at_idle_give_emergency_advice(mini, grammar, tmp_path):
    events, _ = run_kiosk(mini, grammar, ["call an ambulance"], Config(alert_command=alert_script(tmp_path)))
    (outcome,) = of(events, "outcome")
    assert outcome["disposition"] == "emergency"
    assert of(events, "alert")[0]["status"] == "sent"
    assert of(events, "reset")[0]["reason"] == "complete"


def test_enter_key_starts_a_person(mini, grammar):
    read, write = os.pipe()
    keys = KeyWatcher(os.fdopen(read))
    interrupted = []

    class Mic(ScriptedListener):
        def interrupt(self):
            interrupted.append(True)

    lines = [None, "no", "no", "35", "yes", "3 weeks", "yes"]
    with os.fdopen(write, "w") as w:
        w.write("\n")
        w.flush()
        for _ in range(200):
            if keys._pressed.is_set():
                break
            __import__("time").sleep(0.01)
        # The kiosk clears old presses on entering idle: press again from the first listen.
        listener = Mic(answer=lambda expect: _press_then(lines, expect, w))
        events, _ = run_kiosk(mini, grammar, None, listener=listener, keys=keys)
    assert of(events, "outcome")[0]["disposition"] == "self_care"
    assert interrupted  # the listener's interrupt() was called so the idle listen returns at once


def _press_then(lines, expect, w):
    if expect.kind == "wake" and lines and lines[0] is None:
        lines.pop(0)
        w.write("\n")
        w.flush()
        __import__("time").sleep(0.2)
        return None
    if not lines:
        raise EndOfInput()
    return lines.pop(0)


# ---------------------------------------------------------------- staff alert


def test_alert_gets_only_the_disposition(mini, grammar, tmp_path):
    config = Config(alert_command=alert_script(tmp_path))
    run_kiosk(mini, grammar, ["start", "no", "yes", "yes"], config)
    record = json.loads((tmp_path / "alert.json").read_text())
    assert record["argv"][1:] == []
    assert record["env"][ALERT_ENV] == "emergency"
    added = {k: v for k, v in record["env"].items() if os.environ.get(k) != v}
    assert set(added) - {"PWD", "OLDPWD", "_"} == {ALERT_ENV}


@pytest.mark.parametrize("command, message", [
    ("{python} -c 'import sys; sys.exit(3)'", "exit status 3"),
    ("/no/such/alert-command", "no/such/alert-command"),
    ("{python} -c 'import time; time.sleep(30)'", "no answer within 0.5 seconds"),
], ids=["fails", "missing", "hangs"])
def test_failing_alert_is_reported_and_the_kiosk_carries_on(mini, grammar, command, message):
    config = Config(alert_command=command.format(python=shlex.quote(sys.executable)), alert_timeout=0.5)
    events, kiosk = run_kiosk(mini, grammar, EMERGENCY + SELF_CARE, config)
    (alert,) = of(events, "alert")
    assert alert["status"] == "failed" and message in alert["message"]
    assert alert["text"] == mini.say("kiosk_alert_failed").replace("{emergency_number}", "999")
    assert message in of(events, "error")[0]["message"] and message in kiosk.stderr
    assert [e["reason"] for e in of(events, "reset")] == ["complete", "complete"]
    assert [e["disposition"] for e in of(events, "outcome")] == ["emergency", "self_care"]


def test_no_alert_command_claims_no_staff(mini, grammar):
    events, _ = run_kiosk(mini, grammar, EMERGENCY)
    assert not of(events, "alert")
    assert mini.say("kiosk_alert") not in [e["text"] for e in of(events, "say")]


class _SpeakerThatWaits(TranscriptSpeaker):
    """Speaks the emergency advice for up to 5 s (as a voice would), noting whether the alert
    command has run by the time that first sentence is finished."""

    def __init__(self, ran: Path, advice: str):
        super().__init__(None)
        self.ran, self.advice = ran, advice
        self.alert_ran_during_advice: bool | None = None

    def say(self, text):
        if text.startswith(self.advice) and self.alert_ran_during_advice is None:
            deadline = time.monotonic() + 5
            while not self.ran.exists() and time.monotonic() < deadline:
                time.sleep(0.02)
            self.alert_ran_during_advice = self.ran.exists()
        return super().say(text)


@pytest.mark.parametrize("person", [EMERGENCY, ["i need help now"]], ids=["red-flag", "help-now"])
def test_staff_are_alerted_before_the_advice_is_spoken(mini, grammar, tmp_path, person):
    # The emergency advice and the "help now" reply both begin so (content: dispositions, dialog).
    first = "Call 999 now"
    assert mini.dispositions[Disposition.EMERGENCY].advice.startswith("Call {emergency_number} now")
    assert mini.say("help_now").startswith("Call {emergency_number} now")
    speaker = _SpeakerThatWaits(tmp_path / "alert.json", first)
    config = Config(alert_command=alert_script(tmp_path))
    events, _ = run_kiosk(mini, grammar, person, config, speaker=speaker)
    assert speaker.alert_ran_during_advice is True
    assert of(events, "alert")[0]["status"] == "sent"


def test_kiosk_without_alert_command_warns_staff_on_screen_and_in_the_log(mini, grammar):
    screen_out = io.StringIO()
    screen = Screen(mini, stream=screen_out, terminal=False)
    events, kiosk = run_kiosk(mini, grammar, SELF_CARE, screen=screen)
    assert "warning: no alert_command is set" in kiosk.stderr and "fix: set alert_command" in kiosk.stderr
    notice = mini.say("screen_no_alert")
    assert screen_out.getvalue().count(notice) == len(of(events, "idle"))  # on every idle screen
    _, kiosk = run_kiosk(mini, grammar, SELF_CARE, Config(alert_command="true"))
    assert "alert_command" not in kiosk.stderr


def test_walk_aways_are_counted_apart_from_people_served(mini, grammar):
    events, kiosk = run_kiosk(mini, grammar, SELF_CARE + WALK_AWAY + WALK_AWAY + STOPS)
    assert [e["reason"] for e in of(events, "reset")] == ["complete", "timeout", "timeout", "stopped"]
    assert (kiosk.served, kiosk.walked_away) == (2, 2)
    counts = [(e["served"], e["walked_away"]) for e in of(events, "idle")]
    assert counts == [(0, 0), (1, 0), (1, 1), (1, 2), (2, 2)]


# ---------------------------------------------------------------- unattended: errors


class Flaky(ScriptedListener):
    """Raises an error instead of one scripted turn."""

    def __init__(self, lines, errors):
        super().__init__(lines)
        self.errors = errors

    def listen(self, expect, on_speech=None):
        if self.lines and isinstance(self.lines[0], Exception):
            raise self.lines.pop(0)
        return super().listen(expect, on_speech)


def test_unreadable_audio_is_reported_and_the_same_question_asked_again(mini, grammar):
    error = InputError("not a WAV file", where="bad.wav", fix="give a WAV file")
    listener = Flaky(["start", "no", error] + SELF_CARE, [])
    events, kiosk = run_kiosk(mini, grammar, None, listener=listener)
    assert [e["reason"] for e in of(events, "reset")] == ["complete"]
    (err,) = of(events, "error")
    assert "not a WAV file" in err["message"] and err["input"] == "bad.wav"
    asked = of(events, "ask")
    assert err["question"] == asked[1]["question"]  # the question open when the file came
    i = events.index(err)
    assert events[i + 1]["event"] == "say" and events[i + 1]["text"].startswith(mini.say("audio_unreadable"))
    assert of(events, "outcome")[0]["disposition"] == "self_care"
    assert kiosk.failures == 0


@pytest.mark.parametrize("error", [RuntimeError("something broke")], ids=["bug"])
def test_a_failing_session_is_reported_and_the_kiosk_goes_back_to_idle(mini, grammar, error):
    listener = Flaky(["start", "no", error] + SELF_CARE, [])
    events, kiosk = run_kiosk(mini, grammar, None, listener=listener)
    assert [e["reason"] for e in of(events, "reset")] == ["error", "complete"]
    (err,) = of(events, "error")
    assert str(error.args[0]) in err["message"] and str(error.args[0]) in kiosk.stderr
    assert of(events, "outcome")[0]["disposition"] == "self_care"
    assert kiosk.failures == 1


def test_errors_while_idle_do_not_end_the_kiosk(mini, grammar):
    slept = []
    listener = Flaky([AudioDeviceError("microphone unplugged"), AudioDeviceError("still unplugged"),
                      InputError("bad.wav: not a WAV file"), AudioDeviceError("unplugged again")]
                     + SELF_CARE, [])
    events, _ = run_kiosk(mini, grammar, None, listener=listener, sleep=slept.append)
    assert [e["message"] for e in of(events, "error")] == [
        "microphone unplugged", "still unplugged", "bad.wav: not a WAV file", "unplugged again"]
    # Backs off after a device error (longer each time in a row), not after a bad file.
    assert slept == [2.0, 4.0, 8.0]
    assert of(events, "outcome")[0]["disposition"] == "self_care"


# ---------------------------------------------------------------- privacy


PERSON_1 = ["start", "not sure", "no", "83", "yes", "two weeks", "yes", "no"]
"""83 years old, not sure about the cauda equina red flag; no to the offer of more."""


def _reachable(root, skip):
    """Every object reachable from `root` (not through modules, classes, functions or `skip`)."""
    seen, stack = set(), [root]
    skip_ids = {id(o) for o in skip}
    while stack:
        obj = stack.pop()
        if id(obj) in seen or id(obj) in skip_ids:
            continue
        seen.add(id(obj))
        if isinstance(obj, (types.ModuleType, type, types.FunctionType, types.BuiltinFunctionType,
                            types.CodeType)):
            continue
        yield obj
        stack.extend(gc.get_referents(obj))


def _leaks(root, skip, marks):
    found = []
    for obj in _reachable(root, skip):
        if isinstance(obj, str) and any(m in obj for m in marks if isinstance(m, str)):
            found.append(obj)
        elif isinstance(obj, int) and not isinstance(obj, bool) and obj in marks:
            found.append(obj)
        elif type(obj).__name__ in ("Session", "KioskSession", "Triage", "Outcome", "Summary", "Answers"):
            found.append(type(obj).__name__)
    return found


def test_nothing_about_a_person_survives_into_the_next(mini, grammar):
    screen_out = io.StringIO()
    screen = Screen(mini, stream=screen_out, terminal=True, width=100)
    forgotten = []

    class Speaker(TranscriptSpeaker):
        def __init__(self):
            super().__init__(None)
            self.cache = {}

        def say(self, text):
            self.cache[text] = b"audio"
            return super().say(text)

        def forget(self):
            forgotten.append(len(self.cache))
            self.cache.clear()

    speaker = Speaker()
    events, kiosk = run_kiosk(mini, grammar, PERSON_1 + SELF_CARE, screen=screen, speaker=speaker,
                              clock=FakeClock(1.0))
    first, second = people(events)
    # Person 1 really said it: 83 and the red flag are in their own events.
    assert any(e.get("answer") == 83 for e in first)
    assert "saddle_numbness" in of(first, "outcome")[0]["red_flags"]
    # Nothing of it in the next person's events: not in what is said, shown or read back.
    after = [{k: v for k, v in e.items() if k != "t"} for e in events[events.index(first[-1]) + 1:]]
    assert "83" not in json.dumps(after)
    (readback,) = [e["text"] for e in of(second, "ask") if e["question"] == "readback_confirm"]
    # Person 2 said no to it: it is only among the warning signs they have none of.
    assert "age: 35" in readback and "numb bottom or pee changes: not sure" not in readback
    assert "You have none of these: numb bottom or pee changes" in readback
    assert of(second, "outcome")[0]["red_flags"] == []
    # The speech cache was emptied at each reset.
    assert len(forgotten) == 2 and forgotten[0] > 0 and not speaker.cache
    # Nothing in the kiosk's object graph: answers, sessions, summaries, the screen state.
    # (The content, the grammar and the output streams are not the kiosk's memory of anyone.)
    skip = [mini, grammar, kiosk.events.stream, screen_out, kiosk.out, kiosk.err]
    assert _leaks(kiosk, skip, {"83", 83, "saddle_numbness", "two weeks"}) == []
    # ... and the check does find something when it is there.
    kiosk.leftover = {"age": 83}
    assert _leaks(kiosk, skip, {"83", 83}) == [83]
    del kiosk.leftover
    # The terminal was cleared (with its scrollback) at each reset: what is left shows no 83.
    visible = screen_out.getvalue().rsplit(CLEAR_SCROLLBACK, 1)[-1]
    assert "83" not in visible
    assert screen_out.getvalue().count(CLEAR_SCROLLBACK) == 2
    assert screen.state.question == "" and screen.state.summary == []


def test_nothing_written_to_disk_by_default(mini, grammar, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    run_kiosk(mini, grammar, PERSON_1 + EMERGENCY, screen=Screen(mini, stream=io.StringIO(), terminal=False))
    assert list(tmp_path.iterdir()) == []


# ---------------------------------------------------------------- clinician summary


def test_summary_on_screen_only_by_default(mini, grammar):
    screen_out = io.StringIO()
    out = io.StringIO()
    events, _ = run_kiosk(mini, grammar, PERSON_1, screen=Screen(mini, stream=screen_out, terminal=False),
                          out=out)
    shown = screen_out.getvalue()
    assert "Summary for the clinician" in shown
    assert "age: 83" in shown and "numb bottom or pee changes: not sure" in shown
    # answered "not sure": said so, never listed as if they were yes
    assert ("Red flags: bladder (not sure), numb bottom (not sure)" in shown
            or "Red flags: numb bottom (not sure), bladder (not sure)" in shown)
    assert "Advice: Urgent. Get medical help today. Contact NHS 111." in shown
    assert not of(events, "summary") and out.getvalue() == ""


def test_summary_saved_to_a_folder(mini, grammar, tmp_path):
    folder = tmp_path / "summaries"
    run_kiosk(mini, grammar, PERSON_1 + WALK_AWAY + ["start"], Config(clinician_summary=str(folder)))
    files = sorted(folder.iterdir())
    assert len(files) == 2  # person 1 and the walk-away who answered one question; not the empty last one
    text = files[0].read_text()
    assert "age: 83" in text and "Urgent" in text
    assert "No advice was given" in files[1].read_text()
    assert stat.S_IMODE(files[0].stat().st_mode) == 0o600


def test_summary_printed(mini, grammar):
    out = io.StringIO()
    events, _ = run_kiosk(mini, grammar, PERSON_1, Config(clinician_summary="print"), out=out)
    (summary,) = of(events, "summary")  # --jsonl: stdout carries only events
    assert {"label": "age", "answer": "83"} in summary["answers"] and summary["disposition"] == "urgent"
    assert out.getvalue() == ""


# ---------------------------------------------------------------- accessibility in the kiosk


def test_repeat_help_not_sure_rate_and_volume_in_a_kiosk_session(mini, grammar):
    speaker = TranscriptSpeaker(None)
    steps = []

    class Watch(ScriptedListener):
        def listen(self, expect, on_speech=None):
            steps.append((speaker.rate_steps, speaker.volume_steps))
            return super().listen(expect, on_speech)

    lines = ["start", "repeat", "help", "slower", "slower", "louder", "not sure", "no", "35", "yes",
             "3 weeks", "yes", "no", "start", "no"]  # "no" to the offer of more, then the next person
    events, _ = run_kiosk(mini, grammar, None, listener=Watch(lines), speaker=speaker)
    first, second = people(events)
    said = [e["text"] for e in of(first, "say")]
    question = "Is your bottom numb, or has peeing changed?"
    assert said.count(question) == 2  # asked, then repeated
    assert any(s.startswith("Say yes or no. These can be an emergency.") for s in said)  # help
    assert any(s.startswith(mini.say("slower")) for s in said)
    assert any(s.startswith(mini.say("louder")) for s in said)
    assert of(first, "heard")[6]["answer"] == "unsure"  # after wake, repeat, help, slower x2, louder
    assert (-2, 1) in steps  # slower twice and louder took effect during person 1
    assert steps[-1] == (0, 0)  # ... and were undone at reset for person 2
    assert speaker.rate_steps == 0 and speaker.volume_steps == 0


def test_slower_default_speech_rate():
    import voice.speech as speech

    assert speech.DEFAULT_RATE < 175  # espeak-ng's own default is 175 words per minute


# ---------------------------------------------------------------- settings


@pytest.mark.parametrize("text, key, fix", [
    ("idel_invite_every: 60\n", "idel_invite_every", "the settings are:"),
    ("idle_invite_every: soon\n", "idle_invite_every", "e.g. idle_invite_every: 60"),
    ("walkaway_after: 0\n", "walkaway_after", "e.g. walkaway_after: 2"),
    ("walkaway_after: 1.5\n", "walkaway_after", "e.g. walkaway_after: 2"),
    ("alert_command: notify 'staff\n", "alert_command", "close every quote"),
    ("alert_timeout: -1\n", "alert_timeout", "e.g. alert_timeout: 10"),
    ("screen: maybe\n", "screen", "screen: true or screen: false"),
    ("wake_phrases: start\n", "wake_phrases", 'wake_phrases: ["start", "hello"]'),
    ("clinician_summary: [a, b]\n", "clinician_summary", "one line of text"),
], ids=["unknown", "not-a-number", "too-small", "not-whole", "quote", "negative", "not-bool", "not-list",
        "list"])
def test_bad_settings_name_the_key_and_the_fix(tmp_path, text, key, fix):
    path = tmp_path / "config.yaml"
    path.write_text("region: uk\n" + text)
    with pytest.raises(ConfigError) as info:
        load_config(str(path))
    message = str(info.value)
    assert key in message and f"{path}, line 2" in message
    assert "\n  fix: " in message and fix in message.split("fix: ", 1)[1]


def test_summary_folder_that_is_a_file(tmp_path):
    (tmp_path / "notes").write_text("")
    path = tmp_path / "config.yaml"
    path.write_text("clinician_summary: notes\n")
    with pytest.raises(ConfigError,
                       match=r"clinician_summary 'notes' is a file, not a folder\n  fix: use screen"):
        load_config(str(path))
    path.write_text("clinician_summary: saved\nwalkaway_after: 3\nidle_invite_every: 45\n")
    config = load_config(str(path))
    assert config.clinician_summary == str(tmp_path / "saved") and config.idle_invite_every == 45


def test_kiosk_patience(mini, grammar):
    events, kiosk = run_kiosk(mini, grammar, [])
    assert kiosk.settings.walkaway_after == KIOSK_WALKAWAY_AFTER
    _, kiosk = run_kiosk(mini, grammar, [], Config(walkaway_after=4))
    assert kiosk.settings.walkaway_after == 5  # the settings the CLI passes already hold the config's value
    from voice.dialog.session import SessionSettings

    settings = SessionSettings(walkaway_after=4)
    kiosk = Kiosk(mini, grammar, ScriptedListener([]), TranscriptSpeaker(None), Events(None), None, settings,
                  Config(walkaway_after=4))
    assert kiosk.settings.walkaway_after == 4


# ---------------------------------------------------------------- the command line


def _cli(args, stdin, cwd=None, env=None, timeout=60):
    return subprocess.run([sys.executable, "-m", "voice", *args], input=stdin, capture_output=True, text=True,
                          cwd=cwd or ROOT, timeout=timeout, env={**os.environ, **(env or {})})


def test_cli_kiosk_jsonl_several_people(tmp_path):
    config = tmp_path / "config.yaml"
    touched = tmp_path / "staff-called"
    config.write_text(f"alert_command: touch {shlex.quote(str(touched))}\nidle_invite_every: 30\n")
    lines = SELF_CARE + WALK_AWAY + EMERGENCY + STOPS + [""]
    stdin = "\n".join("" if line is None else line for line in lines) + "\n"
    result = _cli(["--kiosk", "--text", "--jsonl", "--content", str(MINI), "--config", str(config)], stdin)
    assert result.returncode == 0, result.stderr
    events = [json.loads(line) for line in result.stdout.splitlines()]  # only JSON on stdout
    assert [e["event"] for e in events].count("start") == 1 and events[-1]["event"] == "end"
    assert [e["reason"] for e in of(events, "reset")] == ["complete", "timeout", "complete", "stopped"]
    assert touched.exists()
    assert of(events, "alert")[0]["status"] == "sent"


def test_cli_screen_plain_when_not_a_terminal():
    stdin = "\n".join(SELF_CARE) + "\n"
    result = _cli(["--kiosk", "--text", "--screen", "--content", str(MINI)], stdin)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "You can say: yes, no, or not sure" in out and "Advice: Self-care" in out
    assert "\x1b" not in out and "\a" not in out
    assert not any(0x2500 <= ord(ch) <= 0x259F for ch in out)  # no box drawing or blocks
    # --jsonl keeps stdout for events even with --screen.
    result = _cli(["--kiosk", "--text", "--jsonl", "--screen", "--content", str(MINI)], stdin)
    assert all(json.loads(line) for line in result.stdout.splitlines())


def test_cli_bad_config_is_reported(tmp_path):
    config = tmp_path / "config.yaml"
    config.write_text("idle_invite_every: often\n")
    result = _cli(["--kiosk", "--text", "--content", str(MINI), "--config", str(config)], "")
    assert result.returncode == 2
    assert ("idle_invite_every must be a number" in result.stderr
            and "fix: e.g. idle_invite_every: 60" in result.stderr)


def _speech_ready() -> bool:
    from importlib.util import find_spec

    return (all(find_spec(f"voice.speech.{m}") for m in ("listening", "speaking"))
            and bool(shutil.which("espeak-ng")))


@pytest.mark.speech
@pytest.mark.slow
@pytest.mark.skipif(not _speech_ready(), reason="voice.speech (build_listener) or espeak-ng is not there yet")
def test_cli_kiosk_through_audio(tmp_path):
    def wav(name, text):
        path = tmp_path / f"{name}.wav"
        subprocess.run(["espeak-ng", "-v", "en-us", "-s", "150", "-w", str(path), text], check=True)
        return str(path)

    touched = tmp_path / "staff-called"
    config = tmp_path / "config.yaml"
    config.write_text(f"alert_command: touch {shlex.quote(str(touched))}\n")
    start, yes, hello = wav("start", "start"), wav("yes", "yes"), wav("hello", "hello")
    # Person 1: an emergency (a second "yes" answers "I heard yes. Is that right?" when the first
    # was heard unsure; otherwise the idle kiosk hears it as chatter and waits). Person 2: says
    # hello, then walks away.
    stdin = "\n".join([start, yes, yes, hello, "", "", ""]) + "\n"
    out_dir = tmp_path / "said"
    result = _cli(["--kiosk", "--audio-in", "-", "--fast", "--audio-out", str(out_dir), "--jsonl",
                   "--content", str(MINI), "--config", str(config)], stdin, timeout=300)
    assert result.returncode == 0, result.stderr
    events = [json.loads(line) for line in result.stdout.splitlines()]
    assert of(events, "outcome")[0]["disposition"] == "emergency"
    assert [e["reason"] for e in of(events, "reset")] == ["complete", "timeout"]
    assert touched.exists()
    assert len(list(out_dir.glob("*.wav"))) == len(of(events, "say"))
    assert events[-1] == {**events[-1], "event": "end", "reason": "stopped"}


def test_unsure_help_now_while_idle_starts_a_session_instead_of_calling_staff(mini, grammar, tmp_path):
    touched = tmp_path / "staff-called"
    config = Config(alert_command=f"touch {shlex.quote(str(touched))}")
    # Chatter heard as "I need help now" with low confidence: a session starts, no alert.
    events, _ = run_kiosk(mini, grammar, [("i need help now", 0.45), "stop"], config=config)
    assert of(events, "outcome") == [] and not touched.exists()
    assert [e["reason"] for e in of(events, "reset")] == ["stopped"]
    # Said clearly: the emergency advice and the alert at once.
    events, _ = run_kiosk(mini, grammar, [("i need help now", 0.9)], config=config)
    assert of(events, "outcome")[0]["disposition"] == "emergency" and touched.exists()


# ---------------------------------------------------------------- Ctrl-C on a terminal


def _stopped_at(mini, grammar, at: set[int]) -> tuple[str, list[dict], Kiosk]:
    """A kiosk on a terminal that gets a real SIGINT (Ctrl-C) as its `at`-th events go out."""
    import signal

    stream = io.StringIO()
    screen = Screen(mini, stream=stream, terminal=True, width=100)
    count = [0]

    def ctrl_c(record):
        count[0] += 1
        if count[0] in at:
            os.kill(os.getpid(), signal.SIGINT)

    out = io.StringIO()
    events = Events(out)
    events.listeners += [ctrl_c, screen]  # the signal lands before the screen sees the event
    kiosk = Kiosk(mini, grammar, ScriptedListener(PERSON_1 + EMERGENCY), TranscriptSpeaker(None), events,
                  config=Config(clinician_summary="screen"), screen=screen, err=io.StringIO(),
                  out=io.StringIO(), sleep=lambda s: None, clock=FakeClock(1.0))
    kiosk.run()  # never lets the KeyboardInterrupt out
    left = stream.getvalue().rsplit(CLEAR_SCROLLBACK, 1)[-1]
    return left, [json.loads(line) for line in out.getvalue().splitlines()], kiosk


def test_ctrl_c_at_any_moment_leaves_nothing_about_the_person_on_a_terminal(mini, grammar):
    _, events, _ = _stopped_at(mini, grammar, set())
    kinds = [e["event"] for e in events]
    outcome, reset = kinds.index("outcome"), kinds.index("reset")
    title = mini.say("summary_title")
    for n in range(outcome, reset + 3):  # from the advice to the next person's idle (1-based counts)
        for at in ({n}, {n, n + 1}):  # once, and an impatient second Ctrl-C at the next event
            left, stopped, kiosk = _stopped_at(mini, grammar, at)
            assert kiosk.stopped_by is not None and stopped[-1]["event"] == "end"
            assert title not in left and "83" not in left, f"Ctrl-C at event(s) {sorted(at)} left:\n{left}"
