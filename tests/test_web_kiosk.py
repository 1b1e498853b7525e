"""The kiosk's page in a real browser (headless Chromium from Debian, driven by Selenium) against a
real kiosk process (`voice-triage --kiosk --web --text --jsonl`, typed answers on stdin): people
served by touch, by typing while the page follows, and both mixed; walk-away and reset with
nothing of the person left; reload and kiosk restart; an axe-core audit at WCAG 2.2 AA."""

from __future__ import annotations

import io
import json
import os
import queue
import subprocess
import threading
import time
import urllib.error
import urllib.request

import pytest

from bench.web.browser import MISSING, audit, overflows, quit_browser, small_targets, start_browser, wait_for
from bench.web.kiosk import KioskProcess
from bench.web.page import SELF_CARE, answer_by_touch, text, touch, type_number, visible_buttons
from voice.app.config import Config, load_config
from voice.app.kiosk import Kiosk
from voice.app.text_io import ScriptedListener, TextListener, TranscriptSpeaker
from voice.app.web.answers import MergedListener
from voice.app.web.server import PageServer
from voice.app.web.texts import load_page_texts
from voice.app.web.view import PageView
from voice.dialog.events import Events
from voice.errors import ConfigError, EndOfInput
from voice.ports import Expectation, Utterance


@pytest.fixture(scope="module")
def config(tmp_path_factory):
    path = tmp_path_factory.mktemp("web") / "config.yaml"
    # The alert command succeeds (staff "called"); the advice stays until "I have finished".
    path.write_text("alert_command: 'true'\nadvice_hold: 120\nidle_invite_every: 600\n")
    return path


@pytest.fixture(scope="module")
def kiosk(config):
    process = KioskProcess(config)
    yield process
    process.stop()


@pytest.fixture(scope="module")
def texts(kiosk):
    with urllib.request.urlopen(kiosk.url + "texts", timeout=5) as reply:
        return json.load(reply)


@pytest.fixture(scope="module")
def browser():
    if MISSING:
        pytest.skip(MISSING)
    driver = start_browser()
    yield driver
    quit_browser(driver)


def invite(kiosk) -> str:
    return next(e["text"] for e in reversed(kiosk.events) if e["event"] == "idle")


def idle_page(browser, kiosk) -> int:
    """Open the page on the idle kiosk; returns the index of the next event."""
    def idle():
        kinds = [e["event"] for e in kiosk.events if e["event"] in ("idle", "reset", "ask", "outcome")]
        return kinds and kinds[-1] == "idle"

    wait_for(idle, what="the kiosk to be idle")
    browser.get(kiosk.url)
    wait_for(lambda: invite(kiosk) in text(browser), what="the invitation")
    browser.history_length = browser.execute_script("return history.length;")
    return len(kiosk.events)


def person_words(kiosk, start: int) -> set[str]:
    """What the kiosk said and heard for one person (from `start`), as it might show on the page."""
    words = set()
    for e in kiosk.events[start:]:
        if e["event"] in ("ask", "outcome") or (e["event"] == "say" and "forgotten" not in e["text"]):
            words.add(e["text"])
        if e["event"] == "heard" and e.get("text") and not e.get("wake"):
            words.add(e["text"])
    return words


def assert_nothing_left(browser, kiosk, texts, start: int) -> None:
    """After a reset: the page, a reload and the back button show only the invitation."""
    shown_invite = invite(kiosk)
    wait_for(lambda: shown_invite in text(browser) and texts["heard"] not in text(browser), what="the invite")

    def only_invite():
        page = text(browser)
        long_texts = [w for w in person_words(kiosk, start) if len(w) > 3]
        assert not [w for w in long_texts if w in page], page
        assert texts["summary_heading"] not in page and texts["heard"] not in page
        return set(visible_buttons(browser)) == {texts["buttons"]["start"]["label"],
                                                 texts["buttons"]["help_now"]["label"]}

    wait_for(only_invite, what="only the invitation")
    # The person added no entry to the browser's history; going back leaves the page, and coming
    # forward again (never from the cache: no-store) shows only the invitation.
    assert browser.execute_script("return history.length;") == browser.history_length
    browser.refresh()
    wait_for(lambda: shown_invite in text(browser), what="the invitation after a reload")
    wait_for(only_invite, what="only the invitation after a reload")
    browser.back()
    assert not [w for w in person_words(kiosk, start) if len(w) > 3 and w in text(browser)]
    browser.forward()
    wait_for(lambda: shown_invite in text(browser), what="the invitation after going back and forward")
    wait_for(only_invite, what="only the invitation after going back and forward")


def test_security_headers_and_only_this_computer(kiosk):
    with urllib.request.urlopen(kiosk.url, timeout=5) as reply:
        headers = reply.headers
        page = reply.read().decode()
    assert headers["Cache-Control"] == "no-store"
    assert "default-src 'none'" in headers["Content-Security-Policy"]
    assert "script-src 'self'" in headers["Content-Security-Policy"]
    assert "<html lang=\"en\">" in page and "http" not in page.split("<body>")[1]  # no outside address
    request = urllib.request.Request(kiosk.url + "state", headers={"Host": f"evil.example:{kiosk.port}"})
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=5)
    assert refused.value.code == 404
    tap = urllib.request.Request(kiosk.url + "tap", data=b'{"button": "start"}', method="POST",
                                 headers={"Content-Type": "application/json", "Origin": "http://evil.example"})
    with pytest.raises(urllib.error.HTTPError):
        urllib.request.urlopen(tap, timeout=5)


def test_a_person_by_touch_to_self_care_then_nothing_of_them_remains(browser, kiosk, texts):
    start = idle_page(browser, kiosk)
    assert audit(browser) == []
    touch(browser, texts["buttons"]["start"]["label"])
    audited = set()

    def check(ask):
        if ask["kind"] not in audited:  # a yes/no question, the number pad, the choices
            audited.add(ask["kind"])
            assert audit(browser) == [], ask["kind"]
            assert small_targets(browser) == []
            assert overflows(browser) == []

    i, outcome = answer_by_touch(browser, kiosk, texts, SELF_CARE, start, check)
    assert outcome["disposition"] == "self_care"
    heard = [e for e in kiosk.events[start:] if e["event"] == "heard" and not e.get("wake")]
    assert [e["text"] for e in heard if e["question"] == "pain_score"] == ["3"]  # the pad's number
    assert all(e["confidence"] is None for e in heard)
    label = wait_for(lambda: browser.find_element("id", "advice-label").text, what="the advice")
    wait_for(lambda: texts["summary_heading"] in text(browser), what="the summary for reception")
    page = text(browser)
    assert page.index(label) < page.index(texts["summary_heading"])
    assert browser.find_element("id", "action").text in outcome["text"]
    # The advice clears by itself for the next person: said on the page, with more time on request.
    hold = texts["clears_after"].replace("{seconds}", "120")
    wait_for(lambda: browser.find_element("id", "hold").text == hold, what="the notice that it clears")
    touch(browser, texts["more_time"])
    assert audit(browser) == []
    assert overflows(browser) == []
    touch(browser, texts["done"])
    kiosk.next(("reset",), i)
    assert_nothing_left(browser, kiosk, texts, start)


def test_emergency_by_keyboard_fills_the_screen_with_the_number(browser, kiosk, texts):
    from selenium.webdriver.common.keys import Keys

    start = idle_page(browser, kiosk)
    body = browser.find_element("tag name", "body")

    def focus(label):
        for _ in range(30):
            if browser.switch_to.active_element.text == label:
                outline = browser.execute_script(
                    "return getComputedStyle(document.activeElement).outlineStyle;")
                assert outline != "none"  # a visible focus
                return
            body.send_keys(Keys.TAB) if _ == 0 else browser.switch_to.active_element.send_keys(Keys.TAB)
        raise AssertionError(f"{label!r} cannot be reached by Tab")

    focus(texts["buttons"]["start"]["label"])
    browser.switch_to.active_element.send_keys(Keys.ENTER)
    i, ask = kiosk.next(("ask",), start)
    wait_for(lambda: ask["text"] == browser.find_element("id", "question").text, what="the first question")
    assert ask["kind"] == "number"  # the age (the number pad by touch: test_a_person_by_touch...)
    type_number(browser, 40, texts["number_enter"])
    i, ask = kiosk.next(("ask",), i + 1)
    wait_for(lambda: ask["text"] == browser.find_element("id", "question").text, what="the warning signs")
    focus(texts["buttons"]["yes"]["label"])
    browser.switch_to.active_element.send_keys(Keys.ENTER)
    i, outcome = kiosk.next(("outcome",), i)
    assert outcome["disposition"] == "emergency"
    alert = browser.find_element("id", "emergency")
    wait_for(lambda: alert.text == texts["call_now"], what="the number to call")
    assert alert.get_attribute("role") == "alert"
    assert "is-emergency" in body.get_attribute("class").split()
    box = alert.rect
    assert box["height"] >= 0.5 * browser.execute_script("return innerHeight;")
    kiosk.next(("alert",), i)
    assert audit(browser) == []
    assert overflows(browser) == [] and small_targets(browser) == []
    touch(browser, texts["done"])
    kiosk.next(("reset",), i)
    assert_nothing_left(browser, kiosk, texts, start)


def test_typed_answers_and_touches_mix_while_the_page_follows(browser, kiosk, texts):
    start = idle_page(browser, kiosk)
    kiosk.type("start")
    i, first = kiosk.next(("ask",), start)
    wait_for(lambda: browser.find_element("id", "question").text == first["text"], what="the first question")
    kiosk.type("purple")  # not an answer: the page shows what was heard, under the same question
    wait_for(lambda: browser.find_element("id", "heard").text == f"{texts['heard']}: purple",
             what="I heard: purple")
    assert browser.find_element("id", "question").text == first["text"]
    kiosk.type("40")  # the age, typed
    i, second = kiosk.next(("ask",), i + 1)
    wait_for(lambda: browser.find_element("id", "question").text == second["text"], what="the next question")
    touch(browser, texts["buttons"]["no"]["label"])  # the next answer by touch, in the same session
    i, heard = kiosk.next(("heard",), i)
    assert (heard["question"], heard["text"], heard["answer"]) == (second["question"], "no", "no")
    i, third = kiosk.next(("ask",), i)
    wait_for(lambda: browser.find_element("id", "question").text == third["text"], what="the third question")
    touch(browser, texts["buttons"]["back"]["label"])  # a command by touch: back to the second question
    i, again = kiosk.next(("ask",), i + 1)
    assert again["question"] == second["question"]
    kiosk.type("I'm done")
    i, reset = kiosk.next(("reset",), i)
    assert reset["reason"] == "stopped"
    assert_nothing_left(browser, kiosk, texts, start)


def test_walk_away_is_announced_then_everything_is_forgotten(browser, kiosk, texts):
    start = idle_page(browser, kiosk)
    touch(browser, texts["buttons"]["start"]["label"])
    i, first = kiosk.next(("ask",), start)
    # Nobody answers. (The first empty line answers the idle kiosk's listen, which the touch on
    # "start" overtook: silence from a turn already answered by a touch is not counted.)
    kiosk.type("")
    kiosk.type("")
    wait_for(lambda: browser.find_element("id", "warn").text == texts["still_there"],
             what="the walk-away note")
    assert browser.find_element("id", "warn").get_attribute("role") == "status"
    while True:
        kiosk.type("")
        i, event = kiosk.next(("ask", "reset"), i + 1)
        if event["event"] == "reset":
            break
    assert event["reason"] == "timeout"
    assert_nothing_left(browser, kiosk, texts, start)


def test_reload_keeps_the_question_and_a_stopped_kiosk_says_so(browser, config, texts):
    first = KioskProcess(config)
    try:
        start = idle_page(browser, first)
        touch(browser, texts["buttons"]["start"]["label"])
        i, ask = first.next(("ask",), start)
        type_number(browser, 40, texts["number_enter"])  # the age
        i, ask = first.next(("ask",), i + 1)
        browser.refresh()
        wait_for(lambda: browser.find_element("id", "question").text == ask["text"],
                 what="the question again")
        first.kill()  # the kiosk dies at once: the page must not keep showing the question
        wait_for(lambda: texts["stopped"] in text(browser), what="the kiosk-stopped notice")
        assert ask["text"] not in text(browser)
    finally:
        first.kill()
    second = KioskProcess(config, port=first.port)
    try:
        wait_for(lambda: invite(second) in text(browser), timeout=15, what="the page back after a restart")
        assert texts["stopped"] not in text(browser)
    finally:
        second.stop()
    wait_for(lambda: texts["stopped"] in text(browser), what="the notice after a clean stop")


def test_the_invitation_reflows_at_200_and_400_percent_zoom(browser, kiosk, texts):
    idle_page(browser, kiosk)
    assert overflows(browser) == []
    assert texts["buttons"]["start"]["label"] in visible_buttons(browser)


# ---------------------------------------------------------------- without a browser


def pipe_listener():
    """A TextListener reading a pipe, and the pipe's writing end (a person typing, or not yet)."""
    read, write = os.pipe()
    return TextListener(os.fdopen(read, "r")), os.fdopen(write, "w", buffering=1)


EXPECT = Expectation(question="q", kind="yes_no", phrases=())


def test_a_tap_answers_while_the_listener_still_waits_and_silence_from_then_is_not_counted():
    listener, typing = pipe_listener()
    merged = MergedListener(listener)
    merged.tap("yes")
    assert merged.listen(EXPECT) == Utterance("yes")  # the listener is still waiting for a line
    typing.write("\n")  # silence, heard on the turn the tap answered: not a no-input of the next
    typing.write("no\n")
    assert merged.listen(EXPECT) == Utterance("no")
    typing.write("\n")
    assert merged.listen(EXPECT) == Utterance(None)  # silence on its own turn counts
    typing.close()
    with pytest.raises(EndOfInput):
        merged.listen(EXPECT)
    with pytest.raises(EndOfInput):
        merged.listen(EXPECT)


def test_taps_not_taken_are_forgotten_at_reset():
    listener, typing = pipe_listener()
    merged = MergedListener(listener)
    merged.tap("yes")
    merged.forget()
    typing.write("start\n")
    assert merged.listen(EXPECT) == Utterance("start")
    typing.close()


def test_beyond_this_computer_only_with_a_long_secret(tmp_path, mini):
    texts = load_page_texts(None, mini.regions[mini.default_region])
    view = PageView(mini, mini.regions[mini.default_region], texts)
    with pytest.raises(ConfigError, match="web_secret"):
        PageServer(view, MergedListener(ScriptedListener([])), "0.0.0.0", 0)
    settings = tmp_path / "config.yaml"
    settings.write_text("web_secret: short\n")
    with pytest.raises(ConfigError, match="at least 16"):
        load_config(str(settings))
    secret = "s3cret-word-long-enough"
    server = PageServer(view, MergedListener(ScriptedListener([])), "127.0.0.1", 0, secret)
    server.start()
    try:
        base = f"http://127.0.0.1:{server.port}"
        for path in ("/state", "/x" + secret + "/state", "/" + secret[:-1] + "/state"):
            with pytest.raises(urllib.error.HTTPError) as refused:
                urllib.request.urlopen(base + path, timeout=5)
            assert refused.value.code == 404
        with urllib.request.urlopen(f"{base}/{secret}/state", timeout=5) as reply:
            assert json.load(reply)["phase"] == "idle"
            assert reply.headers["Cache-Control"] == "no-store"
    finally:
        server.stop()


def test_speech_from_before_the_open_turn_does_not_answer_it():
    """A listen overtaken by a tap may end with words said before the next turn began (the kiosk's
    own voice, or an answer to the last question): they are dropped, later speech is taken."""

    class Microphone:  # a tiny real listener: each utterance when the test lets it through
        engine, model = "scripted", None

        def __init__(self):
            self.said: queue.Queue = queue.Queue()

        def listen(self, expect, on_speech=None):
            return self.said.get()

        def close(self):
            pass

    mic = Microphone()
    merged = MergedListener(mic)
    merged.tap("no")
    assert merged.listen(EXPECT) == Utterance("no")
    before = time.monotonic()
    taken = []
    listening = threading.Thread(target=lambda: taken.append(merged.listen(EXPECT)))
    listening.start()
    wait_for(lambda: merged._turn == 2, what="the second turn")
    mic.said.put(Utterance("yes", 0.9, speech_end=before))  # ended before the turn began
    mic.said.put(Utterance("yes", 0.9, speech_end=time.monotonic() + 1))
    listening.join(5)
    assert [u.speech_end > before for u in taken] == [True]


def test_every_button_stands_for_words_the_grammar_understands_as_meant(shipped, grammar):
    buttons = load_page_texts(None, shipped.regions[shipped.default_region])["buttons"]
    question = shipped.questions["leg_weakness"]
    meant = {"yes": ("answer", "yes"), "no": ("answer", "no"), "unsure": ("answer", "unsure"),
             "repeat": ("command", "repeat"), "back": ("command", "back"), "restart": ("command", "restart"),
             "help_now": ("command", "help_now")}
    for button, (field, value) in meant.items():
        meaning = grammar.understand(buttons[button]["says"], question)
        assert getattr(meaning, field) == value, button
    assert grammar.understand(buttons["start"]["says"], None).wake
    assert grammar.understand(buttons["help_now"]["says"], None).command == "help_now"


@pytest.mark.speech
def test_a_spoken_person_the_page_follows_and_a_touch_answers_the_next_turn(browser, config, texts, tmp_path):
    """Spoken answers (espeak-ng WAVs through the real recognizer) and a touch in one session."""
    def wav(words: str) -> str:
        path = tmp_path / (words.replace(" ", "_").replace(",", "") + ".wav")
        subprocess.run(["espeak-ng", "-v", "en-us", "-s", "150", "-w", str(path), words], check=True)
        return str(path)

    start, no = wav("start"), wav("no, not at all")
    spoken = KioskProcess(config, extra=("--audio-in", "-", "--fast", "--engine", "pocketsphinx",
                                         "--audio-out", str(tmp_path / "said")))
    try:
        begin = idle_page(browser, spoken)
        spoken.type(start)
        i, ask = spoken.next(("ask",), begin)
        wait_for(lambda: browser.find_element("id", "question").text == ask["text"], what="question 1")
        spoken.type(no)
        i, heard = spoken.next(("heard",), i)
        assert heard["confidence"] is not None  # heard by the recognizer, not typed
        i, ask = spoken.next(("ask",), i)  # the next question, or "I heard ... Is that right?"
        wait_for(lambda: browser.find_element("id", "question").text == ask["text"], what="the next ask")
        touch(browser, texts["buttons"]["no" if ask["question"] != "confirm" else "yes"]["label"])
        i, touched = spoken.next(("heard",), i)
        assert (touched["question"], touched["confidence"]) == (ask["question"], None)
    finally:
        assert spoken.stop() == 0


def run_page_kiosk(mini, grammar, more_time: bool):
    """An emergency through a kiosk with a page; the person touches More time once if `more_time`.
    Returns the page's view, its states while the kiosk waited, and the number of waits."""
    region = mini.regions[mini.default_region]
    view = PageView(mini, region, load_page_texts(None, region))
    snapshots = []

    def sleep(seconds):  # the kiosk's hold loop
        snapshots.append(view.snapshot())
        if more_time and len(snapshots) == 1:
            assert view.words_for({"button": "more_time"}) == ""

    clock = iter(range(1000, 10_000)).__next__  # one second per reading
    events = Events(None)
    events.listeners.append(view)
    kiosk = Kiosk(mini, grammar, ScriptedListener(["start", "yes"]), TranscriptSpeaker(None), events,
                  config=Config(advice_hold=6, alert_command="true"), page=view, err=io.StringIO(),
                  clock=clock, sleep=sleep)
    kiosk.run()
    return view, snapshots


def test_the_advice_is_held_with_more_time_on_request_and_then_nothing_of_the_person_is_in_the_state(
        mini, grammar):
    view, held = run_page_kiosk(mini, grammar, more_time=True)
    assert held and all(s["phase"] == "advice" and s["hold"] == 6 and s["emergency"] for s in held)
    _, without = run_page_kiosk(mini, grammar, more_time=False)
    assert len(held) > len(without)
    after = view.snapshot()
    assert after["phase"] == "stopped" and not any(after[k] for k in (
        "question", "heard", "advice", "label", "action", "alert", "summary", "disposition", "hold"))
