"""The offer after the part of the outcome said at once: "Would you like some things that may help
at home?". A yes says the rest; a no, silence, stop or the end of input ends politely.

A yes/no turn like any other (an `ask` event with the question id `more`, then `heard`), typed or
spoken. Words that do not answer it are asked once more in other words; "repeat" says it again.
"""

from __future__ import annotations

from ..errors import EndOfInput
from ..triage.conditions import YES
from .advice import Spoken
from .channel import Channel, ask_record
from .events import NoInput, NoMatch
from .sentences import Sentences
from .states import State, Tracker, dialog_question

TRIES = 2
"""Turns at the offer before it is taken as a no."""


def wants_more(channel: Channel, sentences: Sentences, tracker: Tracker) -> bool:
    """Ask the offer; True only for a yes. The answer is not checked: a misheard yes or no costs
    only some advice that is also in the kiosk summary."""
    text = sentences.line("offer_more")
    question = dialog_question(State.MORE, text, rephrase=sentences.line("offer_more_rephrase"),
                               help_text=sentences.line("offer_more_rephrase"))
    with tracker.visit(State.MORE):
        channel.ask(ask_record(question, text))
        for turn in range(1, TRIES + 1):
            try:
                utt, meaning = channel.turn(question, text)
            except EndOfInput:
                return False
            if utt.text is None:
                channel.send(NoInput(question.id, turn))
                return False
            if meaning is not None and meaning.answer is not None:
                return meaning.answer == YES
            if meaning is not None and meaning.command not in (None, "repeat", "help"):
                return False  # stop, or any other command: end politely
            if meaning is None or meaning.command is None:
                channel.flush_heard()
                channel.send(NoMatch(question.id, turn))
                channel.cue("nomatch")
            text = question.rephrase
    return False


def offer_more(said: Spoken, channel: Channel, sentences: Sentences, tracker: Tracker) -> None:
    """After the part said at once: the offer and, on a yes, the rest; then the closing words.
    An emergency offers nothing."""
    if said.more and said.offered:
        if wants_more(channel, sentences, tracker):
            for part in said.more:
                channel.say(part)
        else:
            channel.say(sentences.line("more_declined"))
    for part in said.close:
        channel.say(part)
