"""What a person does on the kiosk's page: read it, touch a button, answer the questions by touch."""

from __future__ import annotations

from collections.abc import Callable

from .browser import wait_for
from .kiosk import KioskProcess


def text(driver) -> str:
    """Everything the page shows (visible text only)."""
    return driver.execute_script("return document.body.innerText;")


def visible_buttons(driver) -> list[str]:
    return driver.execute_script(
        "return [...document.querySelectorAll('button')].filter(b => b.offsetParent !== null)"
        ".map(b => b.textContent);")


def touch(driver, label: str) -> None:
    """Click the visible button showing `label` (waiting for it to appear)."""
    from selenium.webdriver.common.by import By

    def find():
        for button in driver.find_elements(By.TAG_NAME, "button"):
            if button.is_displayed() and button.text == label:
                return button
        return None

    wait_for(find, what=f"a button {label!r}").click()


def type_number(driver, number: int, ok: str) -> None:
    """Touch the digits of `number` on the number pad, then OK."""
    for digit in str(number):
        touch(driver, digit)
    wait_for(lambda: driver.execute_script("return document.getElementById('pad-value').textContent;")
             == str(number), what=f"the number pad showing {number}")
    touch(driver, ok)


SELF_CARE = {"yes_no": "no", "readback_confirm": "yes", "age": 35, "pain_score": 3,
             "duration": "less_than_week"}
"""A person with no warning signs, answering by touch, who ends at self-care."""


def answer_by_touch(driver, kiosk: KioskProcess, texts: dict, answers: dict, start: int = 0,
                    at_each: Callable[[dict], None] | None = None) -> tuple[int, dict]:
    """Answer every question by touch (`answers`: by question id, else by kind) until the advice, and
    the offer of more advice after it ("no" unless `answers` says otherwise for its id, `more`).

    Waits for the page to show each question before touching; `at_each(ask)` is called then.
    Returns the index and the `outcome` event."""
    buttons = texts["buttons"]
    i = start
    while True:
        i, event = kiosk.next(("ask", "outcome"), i)
        if event["event"] == "outcome":
            if event["disposition"] != "emergency":  # the offer of more advice, under the advice
                _, offer = kiosk.next(("ask",), i)
                wait_for(lambda q=offer["text"]: driver.execute_script(
                    "return document.getElementById('offer-text').textContent;") == q, what="the offer")
                touch(driver, buttons[answers.get(offer["question"], "no")]["label"])
            return i, event
        question = event["text"]
        wait_for(lambda q=question: driver.execute_script(
            "return document.getElementById('question').textContent;") == q, what=f"question {question!r}")
        if at_each is not None:
            at_each(event)
        answer = answers.get(event["question"], answers.get(event["kind"]))
        if event["kind"] == "number":
            type_number(driver, int(answer), texts["number_enter"])
        elif event["kind"] == "choice":
            question_choices = {c["id"]: c["label"] for c in driver.execute_script(
                "return [...document.querySelectorAll('#answers button')]"
                ".map(b => ({id: b.dataset.choice, label: b.textContent}));") if c["id"]}
            touch(driver, question_choices[answer])
        else:
            touch(driver, buttons[{"yes": "yes", "no": "no", "not sure": "unsure"}[answer]]["label"])
        i += 1
