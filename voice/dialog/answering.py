"""How the session handles the answer to one question, case by case: silence, words that do not
answer, a command, an answer to check first, an answer. Mixed into Session (voice/dialog/session.py),
whose channel, checks, sentences, settings and triage it uses."""

from __future__ import annotations

from dataclasses import dataclass

from ..ports import Utterance
from ..triage.conditions import NO, UNSURE
from ..triage.engine import Triage
from ..triage.model import Kind, Question
from ..understanding import Grammar, Interpretation
from .channel import Channel, ask_record
from .checks import Checks
from .events import NoInput, NoMatch
from .sentences import Sentences
from .settings import SessionSettings
from .states import STEPS, State, state_of

CHECKED_COMMANDS = frozenset({"back", "restart", "stop", "help_now", "slower", "faster", "louder", "quieter"})
"""Commands confirmed when heard with low confidence (repeat and help cost nothing if misheard)."""
SPOKEN_CHECKED_COMMANDS = frozenset({"stop", "restart"})
"""Commands that throw the person's answers away: checked whenever they are heard by a recognizer,
however confident it is. Real recorded voices saying "five" were heard confidently as "bye" (stop)
to the pain score question, which ended the session with no advice. Typed, they are taken as is."""


@dataclass
class _Turn:
    """One question being answered: what to say next and the tries so far."""

    q: Question
    state: State
    prompt: str
    extra: dict[str, object]
    """More fields of the question's `ask` event."""
    text: str = ""
    noinput: int = 0
    nomatch: int = 0
    denied: int = 0
    """Checks of what was heard that the person said no to."""

    def __post_init__(self) -> None:
        self.text = self.text or self.prompt


class Answering:
    """The answer loop of one question and its cases (see the module docstring)."""

    channel: Channel
    checks: Checks
    grammar: Grammar
    sentences: Sentences
    settings: SessionSettings
    triage: Triage
    _silent_turns: int
    _said: Utterance | None = None
    """The words of the last answer taken as heard (not after a check), for the read-back's
    corrections in the same words."""
    # and the session's own `say`, `line` and `_command` (carrying out a command).

    def _answer(self, q: Question, state: State, prompt: str, **extra: object) -> tuple[object, bool]:
        """Listen until `q` is answered: the answer, and whether it was given up on (three tries
        with nothing understood). `extra`: more fields of the question's `ask` event."""
        turn = _Turn(q, state, prompt, extra)
        self._said = None
        while True:
            utt, meaning = self.channel.turn(q, turn.text, self.triage.is_red_flag_question(q))
            if utt.text is None:
                done = self._silence(turn)
            else:
                self._silent_turns = 0
                if meaning is None or meaning.out_of_range or (
                        meaning.answer is None and meaning.command is None):
                    done = self._no_match(turn, meaning)
                elif meaning.command:
                    done = self._a_command(turn, utt, meaning.command)
                elif self._unsure(q, utt, meaning):
                    done = self._unsure_answer(turn, meaning)
                else:
                    done = self._an_answer(turn, meaning)
                    self._said = utt
            if done is not None:
                return done

    def _unsure(self, q: Question, utt: Utterance, meaning: Interpretation) -> bool:
        """An answer to check with the person before it is taken: heard unsure where the answer can
        change the level of advice, now or through the questions it leads to (a question of the
        content whose every answer gives the same level and leads on the same way is not checked:
        the read-back comes before the advice), a spoken "not sure" to a warning sign, or spoken
        words easily heard for another answer ("uh uh" for "uh huh", "fifty" for "fifteen")."""
        if self._spoken_unsure_red_flag(q, utt, meaning) or self.checks.doubtful(q, utt, meaning):
            return True
        if not self.checks.unsure(utt, q, meaning):
            return False
        triage = self.triage
        return (q.id not in triage.content.questions or triage.level_may_change(q)
                or triage.steers(q, meaning.answer))

    def _silence(self, turn: _Turn) -> tuple[object, bool] | None:
        """Nothing said: ask again, rephrased; after a few, the safe path; after many in a row, ask
        whether the person is still there."""
        s, q = self.sentences, turn.q
        turn.noinput += 1
        self._silent_turns += 1
        self.channel.send(NoInput(q.id, turn.noinput))
        if self._silent_turns >= self.settings.walkaway_after:
            self.checks.still_there()
            self._silent_turns = 0
            turn.noinput = 0
            turn.text = s.question(q, q.rephrase)
        elif turn.noinput >= self.settings.max_tries:
            return self._give_up(turn.state), True
        else:
            turn.text = s.line("noinput", turn.noinput - 1, rephrase=s.question(q, q.rephrase),
                               answers=s.answers(q))
        return None

    def _no_match(self, turn: _Turn, meaning: Interpretation | None) -> tuple[object, bool] | None:
        """Words that do not answer: ask again, rephrased; a number missed often enough is asked as
        yes/no questions; after a few, the safe path."""
        s, q = self.sentences, turn.q
        turn.nomatch = self._nomatch(q, turn.nomatch)
        if self.checks.number_due(q, turn.nomatch + turn.denied):
            return self._number_by_yes_no(q), False
        if turn.nomatch >= self.settings.max_tries:
            return self._give_up(turn.state), True
        key = "out_of_range" if meaning is not None and meaning.out_of_range else "nomatch"
        turn.text = s.line(key, turn.nomatch - 1, rephrase=s.question(q, q.rephrase), answers=s.answers(q))
        return None

    def _a_command(self, turn: _Turn, utt: Utterance, command: str) -> None:
        """A command, checked first when heard unsure (or, spoken, when it throws answers away)."""
        checked = (self.settings.unsure(utt) and command in CHECKED_COMMANDS) or (
            utt.confidence is not None and command in SPOKEN_CHECKED_COMMANDS)
        if checked and not self.checks.command(command):
            turn.text = self._ask_again(turn.q, turn.extra)
        else:
            turn.text = self._command(command, turn.q, turn.prompt)

    def _unsure_answer(self, turn: _Turn, meaning: Interpretation) -> tuple[object, bool] | None:
        """An answer to check: kept as confirmed (or as the check made it), else asked again."""
        confirmed = self.checks.answer(turn.q, meaning, again=turn.denied == 0)
        if confirmed is not None:
            return self._an_answer(turn, confirmed)
        turn.denied += 1
        if self.checks.number_due(turn.q, turn.nomatch + turn.denied):
            return self._number_by_yes_no(turn.q), False
        if turn.denied >= self.settings.max_tries:
            # Heard the same way and denied every time (a spoken "I might be" to "Are you pregnant?"
            # is "not sure", which the person denied): the safe path, never a silent no.
            return self._give_up(turn.state), True
        turn.text = self._ask_again(turn.q, turn.extra)
        return None

    def _an_answer(self, turn: _Turn, meaning: Interpretation) -> tuple[object, bool] | None:
        """An answer to take; on a question that takes only its choices, "no" keeps things as they
        are and anything else is not understood."""
        q, state = turn.q, turn.state
        if not STEPS[state].only_choices or meaning.answer in {c.id for c in q.choices}:
            return meaning.answer, False
        if meaning.answer == NO:
            # "No", "nothing", "none": nothing to change, so things stand as they are.
            self.say(self.line(STEPS[state].give_up_line))
            return STEPS[state].give_up_answer, False
        # Yes, not sure, a number: no answer named, so not understood here.
        turn.nomatch = self._nomatch(q, turn.nomatch)
        if turn.nomatch >= self.settings.max_tries:
            return self._give_up(state), True
        s = self.sentences
        turn.text = s.line("nomatch", turn.nomatch - 1, rephrase=s.fill(turn.prompt), answers=s.answers(q))
        return None

    def _number_by_yes_no(self, q: Question) -> object:
        """The number asked as "Is it {value} or more?" questions (checks.NumberLadder)."""
        ladder = self.checks.ladder(q)
        while (step := ladder.next_step()) is not None:
            reply, _ = self._answer(step.question, State.NUMBER_AT_LEAST, step.spoken, **step.fields)
            ladder.reply(reply)
        return ladder.result

    def _ask_again(self, q: Question, extra: dict[str, object]) -> str:
        """After a check that came to nothing the question is asked anew, with a new `ask` event."""
        text = self.line("confirm_again", rephrase=self.sentences.question(q, q.rephrase))
        self.channel.ask(ask_record(q, text, **extra))
        return text

    def _nomatch(self, q: Question, count: int) -> int:
        """Words that do not answer `q`: the `nomatch` event and cue; returns the count so far."""
        self.channel.flush_heard()
        self.channel.send(NoMatch(q.id, count + 1))
        self.channel.cue("nomatch")
        return count + 1

    def _spoken_unsure_red_flag(self, q: Question, utt: Utterance, meaning: Interpretation) -> bool:
        """True for a spoken "not sure" to a warning-sign question, however clearly it was heard: it
        makes the advice urgent. A clear "no" spoken as the first answer of a session was heard as
        "dunno" (not sure) with full confidence; checked, the person can say it again."""
        return utt.confidence is not None and meaning.answer == UNSURE and self.triage.is_red_flag_question(q)

    def _give_up(self, state: State) -> object:
        """The safe path after too many tries: never a silent no. Returns the answer to record."""
        step = STEPS[state]
        self.say(self.line(step.give_up_line))
        return step.give_up_answer


    def _correct_in_same_words(self) -> None:
        """At the read-back, a number to change and its new value said at once ("no, my age is wrong,
        I'm 78", or "my age, 78" to "which answer?"): both are taken from the same words, as if each
        had been asked, unless the new number is one to check (then the question is asked)."""
        said, self._said = self._said, None
        if said is None or not said.text:
            return
        which = self.triage.next_step()
        q = getattr(which, "question", None)
        if q is not None and state_of(q.id) is State.READBACK_WHICH:
            named = self.grammar.understand(said.text, q)
            if named is None or named.answer not in self.triage.content.questions:
                return
            q = self.triage.content.questions[named.answer]
        if q is None or q.kind is not Kind.NUMBER or state_of(q.id) is not State.QUESTION:
            return
        meaning = self.grammar.understand(said.text, q)
        if meaning is None or meaning.out_of_range or not isinstance(meaning.answer, int):
            return
        if meaning.answer == 1 and "1" not in said.text:
            return  # "one" names the answer ("the age one", "the first one"), it is no new value
        if q is not getattr(which, "question", None):
            self.tracker.enter(State.READBACK_WHICH)
            self.triage.answer(which.question.id, q.id)
        if self.checks.number_doubtful(q, said, meaning):
            return  # the number question is asked
        self.tracker.enter(State.QUESTION)
        self.triage.answer(q.id, meaning.answer)
