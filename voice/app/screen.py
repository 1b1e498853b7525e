"""The kiosk screen: large, high-contrast text of the question, the answers that work, what was
heard, and the advice, updated from the session's events (an `Events.listeners` hook).

Two views of the same state:

- terminal (stdout is a terminal): redrawn with `rich` on every change, bright text on black,
  the disposition in block letters and its colour, a bell on an emergency;
- plain (stdout is a pipe, a file, a braille display, TERM=dumb): one plain line per change,
  no colours, no box drawing, no cursor movement, no spinners, nothing a screen reader would
  read as noise.

On `reset` the state is dropped and the terminal (and its scrollback) cleared: nothing about
one person stays on screen for the next. Every word shown comes from content/dialog.yaml.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field
from typing import TextIO

from ..dialog.events import Alert, Ask, Device, Heard, Idle, Outcome, Record, Reset, Say, Start
from ..dialog.sentences import fill, join_or
from ..triage.model import Content, Kind, Region

# Colours per disposition: (block and label style, border colour). All pass WCAG AA contrast.
STYLES = {
    "emergency": ("bold bright_white on red", "red"),
    "urgent": ("bold black on bright_yellow", "bright_yellow"),
    "soon": ("bold black on bright_cyan", "bright_cyan"),
    "self_care": ("bold black on bright_green", "bright_green"),
}
BASE = "bright_white on black"
CLEAR_SCROLLBACK = "\x1b[3J"

# A 5-row block font for the disposition label. '#' is a filled cell.
_FONT_ROWS = {
    "A": (" ### ", "#   #", "#####", "#   #", "#   #"),
    "B": ("#### ", "#   #", "#### ", "#   #", "#### "),
    "C": (" ####", "#    ", "#    ", "#    ", " ####"),
    "D": ("#### ", "#   #", "#   #", "#   #", "#### "),
    "E": ("#####", "#    ", "#### ", "#    ", "#####"),
    "F": ("#####", "#    ", "#### ", "#    ", "#    "),
    "G": (" ####", "#    ", "#  ##", "#   #", " ####"),
    "H": ("#   #", "#   #", "#####", "#   #", "#   #"),
    "I": ("###", " # ", " # ", " # ", "###"),
    "J": ("  ###", "   # ", "   # ", "#  # ", " ##  "),
    "K": ("#   #", "#  # ", "###  ", "#  # ", "#   #"),
    "L": ("#    ", "#    ", "#    ", "#    ", "#####"),
    "M": ("#   #", "## ##", "# # #", "#   #", "#   #"),
    "N": ("#   #", "##  #", "# # #", "#  ##", "#   #"),
    "O": (" ### ", "#   #", "#   #", "#   #", " ### "),
    "P": ("#### ", "#   #", "#### ", "#    ", "#    "),
    "Q": (" ### ", "#   #", "# # #", "#  # ", " ## #"),
    "R": ("#### ", "#   #", "#### ", "#  # ", "#   #"),
    "S": (" ####", "#    ", " ### ", "    #", "#### "),
    "T": ("#####", "  #  ", "  #  ", "  #  ", "  #  "),
    "U": ("#   #", "#   #", "#   #", "#   #", " ### "),
    "V": ("#   #", "#   #", "#   #", " # # ", "  #  "),
    "W": ("#   #", "#   #", "# # #", "## ##", "#   #"),
    "X": ("#   #", " # # ", "  #  ", " # # ", "#   #"),
    "Y": ("#   #", " # # ", "  #  ", "  #  ", "  #  "),
    "Z": ("#####", "   # ", "  #  ", " #   ", "#####"),
    "0": (" ### ", "#  ##", "# # #", "##  #", " ### "),
    "1": (" #", "##", " #", " #", " #"),
    "2": ("#### ", "    #", " ### ", "#    ", "#####"),
    "3": ("#### ", "    #", " ### ", "    #", "#### "),
    "4": ("#   #", "#   #", "#####", "    #", "    #"),
    "5": ("#####", "#    ", "#### ", "    #", "#### "),
    "6": (" ### ", "#    ", "#### ", "#   #", " ### "),
    "7": ("#####", "    #", "   # ", "  #  ", "  #  "),
    "8": (" ### ", "#   #", " ### ", "#   #", " ### "),
    "9": (" ### ", "#   #", " ####", "    #", " ### "),
    "-": ("    ", "    ", "####", "    ", "    "),
    " ": ("  ", "  ", "  ", "  ", "  "),
    ".": (" ", " ", " ", " ", "#"),
    "!": ("#", "#", "#", " ", "#"),
    "'": ("#", "#", " ", " ", " "),
}


def block_letters(text: str, width: int) -> list[str] | None:
    """`text` in 5-row block letters, wrapped at words to `width`; None if it cannot be drawn."""
    words = text.upper().split()
    if not words or any(ch not in _FONT_ROWS for ch in text.upper()):
        return None

    def draw(word: str) -> list[str]:
        rows = [""] * 5
        for ch in word:
            for i, part in enumerate(_FONT_ROWS[ch]):
                rows[i] += part + " "
        size = max(len(r.rstrip()) for r in rows)
        return [r[:size].ljust(size) for r in rows]

    lines: list[list[str]] = []
    current = ""
    for word in words:
        candidate = f"{current} {word}" if current else word
        if current and max(len(r) for r in draw(candidate)) > width:
            lines.append(draw(current))
            current = word
        else:
            current = candidate
    lines.append(draw(current))
    if any(len(r) > width for block in lines for r in block):
        return None
    out: list[str] = []
    for i, block in enumerate(lines):
        if i:
            out.append("")
        out += [r.replace("#", "\u2588") for r in block]
    return out


def is_terminal(stream: TextIO) -> bool:
    """True when `stream` is an interactive terminal that understands colours and cursor moves."""
    try:
        tty = stream.isatty()
    except (AttributeError, ValueError):
        return False
    return tty and os.environ.get("TERM", "") not in ("dumb", "unknown")


@dataclass
class ScreenState:
    """Everything on screen. Dropped whole on `reset`."""

    phase: str = "blank"
    """blank, idle, dialog or advice."""
    invite: str = ""
    question: str = ""
    answers: str = ""
    spoken: str = ""
    heard: str = ""
    disposition: str | None = None
    advice: str = ""
    alert: str = ""
    notice: str = ""
    summary: list[str] = field(default_factory=list)


class Screen:
    """Large-text view of the dialog, fed with every event."""

    def __init__(self, content: Content, region: Region | None = None, stream: TextIO | None = None,
                 terminal: bool | None = None, width: int | None = None, press_enter: bool = False):
        self.content = content
        self.region = region or content.regions[content.default_region]
        self.stream = stream if stream is not None else sys.stdout
        self.terminal = is_terminal(self.stream) if terminal is None else terminal
        self.press_enter = press_enter
        """Show that Enter starts (a kiosk listening to a microphone with a keyboard)."""
        self.state = ScreenState()
        self.staff_notice = ""
        """A standing notice for staff (no staff alert set up), shown on every idle screen."""
        self._ask: Ask | None = None
        self._last_line = ""
        self.console = None
        if self.terminal:
            from rich.console import Console

            self.console = Console(file=self.stream, force_terminal=True, width=width, highlight=False,
                                   emoji=False, markup=False, soft_wrap=False)

    # ------------------------------------------------------------ text from content

    def _fmt(self, text: str, **values: object) -> str:
        return fill(text, self.region, **values)

    def answers_phrase(self, record: Ask) -> str:
        """The answers that work for an `ask` event, as the session says them."""
        say = self.content.say
        question = self.content.questions.get(record.question)
        kind = record.kind
        if kind == Kind.YES_NO.value:
            return say("answers_yes_no")
        if kind == Kind.NUMBER.value:
            low = question.minimum if question and question.minimum is not None else 0
            high = question.maximum if question and question.maximum is not None else 10
            return self._fmt(say("answers_number"), example=low + (high - low) // 2)
        labels = []
        for cid in record.choices:
            if question is not None and question.kind is Kind.CHOICE:
                labels.append(question.choice(cid).label)
            elif cid in self.content.questions:
                labels.append(self.content.questions[cid].readback)
            else:
                labels.append(cid.replace("_", " "))
        if not labels:
            return ""
        return self._fmt(say("answers_choice"), choices=join_or(labels, say("or_word")))

    # ------------------------------------------------------------ events

    def __call__(self, record: Record) -> None:
        """The Events listener."""
        match record:
            case Start(kiosk=kiosk):
                if not kiosk:
                    self.state.phase = "dialog"
            case Idle():
                self._on_idle(record)
            case Ask():
                self._on_ask(record)
            case Say(text=text):
                self._on_say(text)
            case Heard():
                self._on_heard(record)
            case Outcome():
                self._on_outcome(record)
            case Alert(text=text):
                self._on_alert(text)
            case Device(status=status):
                self._on_device(status)
            case Reset():
                self.clear()

    def _on_idle(self, record: Idle) -> None:
        self.state = ScreenState(phase="idle", invite=record.text, notice=self.staff_notice)
        self._ask = None
        if self.terminal:
            self.render()
        else:
            self._line(self.state.invite)
            if self.staff_notice:
                self._line(self.staff_notice)
            if self.press_enter:
                self._line(self.content.say("screen_press_enter"))

    def _on_ask(self, record: Ask) -> None:
        s = self.state
        s.phase = "dialog"
        s.question = record.text
        s.answers = self.answers_phrase(record)
        s.spoken = s.heard = s.notice = ""
        self._ask = record
        if self.terminal:
            self.render()

    def _on_say(self, text: str) -> None:
        s = self.state
        if not self.terminal:
            self._line(text)
            if self._ask is not None and text == self._ask.text and s.answers:
                self._line(f"{self.content.say('screen_answers')}: {s.answers}")
            return
        if s.phase == "idle":
            s.spoken = "" if text == s.invite else text
        elif s.phase == "advice":
            # The advice is shown whole; show what else is said (goodbye) under it.
            if text not in s.advice and text != s.alert:
                s.spoken = text
        elif text != s.question:
            s.spoken = text
        self.render()

    def _on_heard(self, record: Heard) -> None:
        text = record.text or ""
        self.state.heard = text
        if self.terminal:
            self.render()
        elif record.confidence is not None:
            self._line(f"{self.content.say('screen_heard')}: {text}")

    def _on_outcome(self, record: Outcome) -> None:
        s = self.state
        s.phase = "advice"
        s.disposition = record.disposition
        s.advice = record.text
        s.spoken = s.heard = ""
        label = self._label(s.disposition)
        if self.terminal:
            if s.disposition == "emergency":
                self.stream.write("\a")
            self.render()
        else:
            self._line(f"{self.content.say('summary_advice')}: {label}")

    def _on_alert(self, text: str) -> None:
        self.state.alert = text
        if self.terminal:
            self.stream.write("\a")
            self.render()

    def _on_device(self, status: str) -> None:
        key = "device_lost" if status == "lost" else "device_back"
        self.state.notice = self._fmt(self.content.say(key))
        if self.terminal:
            self.render()
        else:
            self._line(self.state.notice)

    def show_summary(self, lines: list[str]) -> None:
        """Show the clinician summary until the next reset."""
        self.state.summary = list(lines)
        if self.terminal:
            self.render()
        else:
            for line in lines:
                self._line(line.strip())

    def shows_a_person(self) -> bool:
        """True while anything of a person's dialog, advice or summary is on screen."""
        return self.state.phase in ("dialog", "advice") or bool(self.state.summary or self.state.heard)

    def clear(self) -> None:
        """Forget everything shown, and wipe the terminal and its scrollback."""
        self.state = ScreenState()
        self._ask = None
        self._last_line = ""
        if self.terminal and self.console is not None:
            self.console.clear()
            self.stream.write(CLEAR_SCROLLBACK)
            self.stream.flush()

    # ------------------------------------------------------------ drawing

    def _label(self, disposition: str | None) -> str:
        for d, text in self.content.dispositions.items():
            if d.value == disposition:
                return text.label
        return disposition or ""

    def _line(self, text: str) -> None:
        """Plain view: one line, never the same line twice in a row."""
        text = " ".join(text.split())
        if not text or text == self._last_line:
            return
        self._last_line = text
        self.stream.write(text + "\n")
        self.stream.flush()

    def renderable(self):
        """The terminal view of the current state (a rich renderable)."""
        from rich import box
        from rich.console import Group
        from rich.padding import Padding
        from rich.panel import Panel
        from rich.text import Text

        s = self.state
        say = self.content.say
        width = self.console.width if self.console is not None else 80
        parts: list = []
        if s.phase == "idle":
            parts.append(Padding(Text(s.invite, style="bold bright_white"), (1, 2)))
            if s.spoken:
                parts.append(Padding(Text(s.spoken, style="bright_white"), (0, 2)))
            if self.press_enter:
                parts.append(Padding(Text(say("screen_press_enter"), style="bold bright_yellow"), (1, 2)))
        elif s.phase == "advice":
            style, colour = STYLES.get(s.disposition or "", ("bold bright_white on blue", "blue"))
            label = self._label(s.disposition)
            big = block_letters(label, max(10, width - 8))
            if big is not None:
                parts.append(Panel(Text("\n".join(big), style=style, justify="center"), box=box.HEAVY,
                                   border_style=colour, style=style))
            parts.append(Padding(Text(label.upper(), style=style, justify="center"), (1, 0)))
            if s.alert:
                parts.append(Panel(Text(s.alert, style="bold bright_white on red"), box=box.HEAVY,
                                   border_style="bright_white", style="on red"))
            parts.append(Padding(Text(s.advice, style="bold bright_white"), (0, 2)))
            if s.spoken:
                parts.append(Padding(Text(s.spoken, style="bright_white"), (1, 2, 0, 2)))
            if s.summary:
                parts.append(Panel(Text("\n".join(s.summary[1:]), style="bright_white"), title=s.summary[0],
                                   box=box.SQUARE, border_style="bright_white"))
        elif s.phase == "dialog":
            if s.question:
                parts.append(Panel(Text(s.question, style="bold bright_white"), box=box.HEAVY,
                                   border_style="bright_yellow", padding=(1, 2)))
            if s.spoken and s.spoken != s.question:
                parts.append(Padding(Text(s.spoken, style="bright_white"), (0, 2)))
            if s.answers:
                parts.append(Padding(Text(f"{say('screen_answers')}: {s.answers}", style="bold bright_cyan"),
                                     (1, 2, 0, 2)))
                parts.append(Padding(Text(say("screen_commands"), style="bright_white"), (0, 2)))
            if s.heard:
                parts.append(Padding(Text(f"{say('screen_heard')}: {s.heard}", style="bold bright_green"),
                                     (1, 2)))
            if s.summary:
                parts.append(Panel(Text("\n".join(s.summary[1:]), style="bright_white"), title=s.summary[0],
                                   box=box.SQUARE, border_style="bright_white"))
        if s.notice:
            parts.append(Padding(Text(s.notice, style="bold black on bright_yellow"), (1, 2)))
        return Panel(Group(*parts), box=box.SIMPLE, style=BASE, expand=True)

    def render(self) -> None:
        """Redraw the terminal view."""
        if self.console is None:
            return
        self.console.clear()
        self.console.print(self.renderable())
        self.stream.flush()
