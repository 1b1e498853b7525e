"""The clinician summary of one person: the answers given, the red flags, and the advice.

Built from a finished Session. By default it is shown on the kiosk screen only and forgotten at
reset; config `clinician_summary` can also print it (stdout, or a `summary` event in --jsonl
mode) or save it in a folder. Every label comes from content/dialog.yaml.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from ..dialog import advice
from ..dialog.sentences import answer_words
from ..triage.conditions import UNSURE
from ..triage.model import Content


@dataclass(frozen=True)
class Summary:
    """What a clinician needs to know about one person's dialog."""

    title: str
    """The heading (dialog key summary_title)."""
    answers: tuple[tuple[str, str], ...]
    """(question read-back label, answer in words), in the order asked."""
    red_flags: tuple[str, ...]
    """The red-flag findings behind the advice, as staff descriptions."""
    disposition: str | None
    """Disposition id, or None when the dialog ended before the advice."""
    label: str
    """The disposition's label (or the no-advice sentence)."""
    advice: str
    """The disposition's one action."""
    reason: str
    """How the dialog ended: complete, stopped, timeout or error."""
    labels: tuple[str, str, str, str]
    """Headings: answers, red flags, advice, and the word for none."""
    said: str = ""
    """Everything the advice says, also the part offered and declined (dialog key summary_said
    heads it)."""
    said_label: str = ""

    @property
    def empty(self) -> bool:
        """True when there is nothing to tell (the person left before answering)."""
        return not self.answers and self.disposition is None

    def lines(self) -> list[str]:
        """The summary as plain lines, for the screen, a printout or a file."""
        answers, red_flags, advice, none = self.labels
        out = [self.title, f"{answers}:"]
        out += [f"  {label}: {answer}" for label, answer in self.answers] or [f"  {none}"]
        out.append(f"{red_flags}: {', '.join(self.red_flags) if self.red_flags else none}")
        if self.disposition is None:
            out.append(f"{advice}: {self.label}")
        else:
            out.append(f"{advice}: {self.label}. {self.advice}")
            if self.said:
                out.append(f"{self.said_label}: {self.said}")
        return out

    def text(self) -> str:
        return "\n".join(self.lines()) + "\n"

    def record(self) -> dict:
        """The fields of a `summary` event."""
        return {"answers": [{"label": label, "answer": answer} for label, answer in self.answers],
                "red_flags": list(self.red_flags), "disposition": self.disposition, "reason": self.reason,
                "text": self.text()}


def _red_flag(content: Content, triage, finding: str) -> str:
    """A red-flag finding for staff; one answered "not sure" says so, so it never reads as a yes."""
    text = content.findings[finding].description if finding in content.findings else finding
    if triage.answers.values.get(finding) == UNSURE:
        return f"{text} ({content.say('unsure_word')})"
    return text


def summarize(session, reason: str) -> Summary:
    """The summary of a finished Session (any object with content, triage, outcome and
    sentences)."""
    content: Content = session.content
    triage = session.triage
    answers = []
    for qid in triage.asked:
        question = content.questions[qid]
        value = triage.answer_of(question)
        answers.append((question.readback, answer_words(content, question, value)))
    outcome = session.outcome
    labels = (content.say("summary_answers"), content.say("summary_red_flags"), content.say("summary_advice"),
              content.say("summary_none"))
    if outcome is None:
        return Summary(content.say("summary_title"), tuple(answers), (), None,
                       content.say("summary_no_advice"), "", reason, labels)
    red_flags = tuple(_red_flag(content, triage, f) for f in outcome.red_flags)
    label = content.dispositions[outcome.disposition].label
    return Summary(content.say("summary_title"), tuple(answers), red_flags, outcome.disposition.value, label,
                   advice.action(session.sentences, outcome, triage.answers), reason, labels,
                   getattr(session, "advice_text", ""), content.say("summary_said"))


def save(summary: Summary, folder: Path | str, serial: int) -> Path:
    """Write the summary to a new file in `folder`, readable by its owner only."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    path = folder / f"summary-{stamp}-{serial:04d}.txt"
    n = 1
    while path.exists():
        n += 1
        path = folder / f"summary-{stamp}-{serial:04d}-{n}.txt"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as stream:
        stream.write(summary.text())
    return path
