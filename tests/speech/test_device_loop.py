"""The session on real devices: a speaker lost mid-session, and (once the listener exists) the full loop."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import textwrap
import time
from importlib.util import find_spec

import pytest

from bench import testaudio
from tests.speech.pulse import REPO, Pulse, missing_reason, recognize, segments
from voice.triage.loader import load_content

pytestmark = [pytest.mark.audio, pytest.mark.slow]
MINI = REPO / "tests" / "fixtures" / "mini"


@pytest.fixture
def pulse():
    reason = missing_reason()
    if reason:
        pytest.skip(reason)
    with Pulse() as p:
        yield p


SHORT_GREETING = {"welcome": "Hello.", "disclaimer": "This is not a diagnosis.",
                  "how_to_answer": "Say yes or no."}
"""The spoken loop's greeting: the fixture content's says the same kind of thing in some 20 seconds of
speech, before the first question; the session speaks it by the same code whatever its words."""


@pytest.fixture
def short_greeting(tmp_path):
    """A copy of the fixture content whose greeting is short (SHORT_GREETING)."""
    content = tmp_path / "content"
    shutil.copytree(MINI, content)
    dialog = content / "dialog.yaml"
    text = dialog.read_text(encoding="utf-8")
    for key, line in SHORT_GREETING.items():  # the key's line and the folded lines under it
        text = re.sub(rf"^{key}:.*\n(?:  .*\n)*", f"{key}: {json.dumps(line)}\n", text, count=1, flags=re.M)
    dialog.write_text(text, encoding="utf-8")
    return content


_LOST = textwrap.dedent("""
    import io, json, sys
    from voice.dialog.events import Events
    from voice.dialog.session import Session, SessionSettings
    from voice.speech.speaking import build_speaker
    from voice.ports import Utterance
    from voice.triage.loader import load_content
    from voice.understanding import Grammar

    class Patient:
        # yes to every question: the first one (a bottom that is numb) is a red flag, so the session
        # that resumes speaks one question and the emergency advice, not a whole session
        engine = "text"
        def listen(self, expect, on_speech=None):
            return Utterance({"number": "40", "choice": "less than a week"}.get(expect.kind, "yes"))
        def close(self):
            pass

    content = load_content("tests/fixtures/mini")
    speaker = build_speaker(output_device="pulse", cues=False)
    Session(content, Grammar.load(), Patient(), speaker, Events(sys.stdout),
            settings=SessionSettings(device_wait=float(sys.argv[1]))).run()
    speaker.close()
""")


def _events(text: str) -> list[dict]:
    return [json.loads(line) for line in text.splitlines() if line.startswith("{")]


@pytest.mark.parametrize("comes_back", [True, False], ids=["resumes", "ends"])
def test_speaker_lost_mid_session(pulse, comes_back):
    """Killing the sound server while the welcome plays gives a `device` lost event, no traceback,
    and either a resume (server back: `device` back, the session reaches its outcome) or a clean end."""
    rec = pulse.record()
    child = pulse.python(_LOST, "8" if comes_back else "3", stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         text=True)
    lines = [child.stdout.readline()]  # the first event: the session has started
    rec.wait_for_sound(since=time.monotonic(), timeout=60)  # the welcome is playing
    rec.stop()
    pulse.kill()
    if comes_back:
        for line in child.stdout:  # the server is away until the session has noticed
            lines.append(line)
            if '"device"' in line:
                break
        pulse.start()
    out = "".join(lines) + child.stdout.read()
    err = child.stderr.read()
    child.wait(60)
    assert child.returncode == 0, err
    assert "Traceback" not in err
    events = _events(out)
    kinds = [e["event"] for e in events]
    lost = [e for e in events if e["event"] == "device"]
    assert lost and lost[0]["status"] == "lost" and "speaker was lost" in lost[0]["message"]
    if comes_back:
        assert any(e["status"] == "back" for e in lost)
        assert "outcome" in kinds and events[-1]["reason"] == "complete", events[-4:]
    else:
        assert events[-1]["event"] == "end" and events[-1]["reason"] == "error"


SPOKEN_PATIENT = {"ces_screen": ("repeat", "no"), "fever": ("yes",), "immune_risk": ("yes",)}
"""What the patient of the spoken loop says to each question of the fixture content, in turn: "repeat"
first (a command: the question is said again), then no; a fever with a weak immune system is a red
flag, so the session reaches its emergency outcome after three questions. "Is that right?" and the
read-back are answered yes, anything else no."""


@pytest.mark.speech
def test_spoken_loop_through_the_cli(pulse, short_greeting):
    """`python -m voice --jsonl` on the devices: answers spoken into 'mouth' once each question has been
    spoken into 'room'; a command, yes and no answers, to the outcome."""
    if find_spec("voice.speech.listening") is None:
        pytest.skip("voice/speech/listening.py (build_listener) is not committed yet")
    content = load_content(short_greeting)
    assert content.say("welcome") == SHORT_GREETING["welcome"]
    rec = pulse.record()
    cli = subprocess.Popen([sys.executable, "-m", "voice", "--content", str(short_greeting), "--jsonl",
                            "--no-cues", "--input-device", "pulse", "--output-device", "pulse"],
                           env=pulse.env(), cwd=REPO, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, text=True)
    words = {w: testaudio.speak(w, "en-us") for w in ("repeat", "yes", "no")}
    answered: dict[str, int] = {}
    events = []
    last_ask = None
    waiting = None
    deadline = time.monotonic() + 240
    for line in cli.stdout:
        event = json.loads(line)
        events.append(event)
        if event["event"] == "ask":
            # A question (or "I heard no. Is that right?", answered yes) is about to be spoken.
            last_ask = waiting = event
        elif last_ask is not None and (event["event"] in ("nomatch", "noinput")
                                       or event["event"] == "heard" and event.get("command") == "repeat"):
            waiting = last_ask  # asked again
        elif event["event"] == "say" and waiting is not None:
            # the question is being spoken; answer once it has finished (the room is quiet again)
            rec.wait_for_quiet(since=time.monotonic())
            q = waiting["question"]
            script = ("yes",) if q in ("confirm", "readback_confirm") else SPOKEN_PATIENT.get(q, ("no",))
            turn = answered.get(q, 0)
            answered[q] = turn + 1
            pulse.play(words[script[min(turn, len(script) - 1)]])
            waiting = None
        if event["event"] == "end" or time.monotonic() > deadline:
            break
    try:
        cli.wait(60)
    except subprocess.TimeoutExpired:
        cli.kill()
        cli.wait()
    audio = rec.stop()
    assert cli.returncode == 0, f"{cli.stderr.read()}\n" + "\n".join(map(json.dumps, events[-15:]))
    kinds = [e["event"] for e in events]
    assert "outcome" in kinds and kinds[-1] == "end"
    assert any(e["event"] == "heard" and e.get("answer") in ("yes", "no") for e in events)
    asked = [e for e in events if e["event"] == "ask"]
    candidates = [q.text for q in content.questions.values()]
    spoken = [recognize(s, candidates) for s in segments(audio, min_gap=0.6)]
    # The questions asked are heard in the recording of the speaker (the first one is said straight
    # after the welcome, with no pause to cut at, so it is not counted).
    asked_texts = {e["text"] for e in asked[1:] if e["text"] in candidates}
    assert asked_texts and len(asked_texts & set(spoken)) >= max(1, len(asked_texts) // 2), (
        asked_texts, spoken)
