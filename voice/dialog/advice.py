"""The outcome as spoken: built for the ear, the part to act on first and the rest on request.

`spoken` splits the advice in three. `first` is said at once and is short (about 60 words): the
one action with its time frame, the most likely cause with its first reason, and the one thing
that would make it an emergency. `more` is offered ("Would you like some things that may help at
home?") and said only on a yes: the advice of the rules that drove it, the other causes, the top
cause's self-care, when to see a doctor, and the full safety-net. `close` ends every outcome.
An emergency offers nothing: only what to do now and until help comes. The full text (all three)
is the `outcome` event's text and the clinician summary's advice.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..triage.conditions import Answers
from ..triage.engine import Outcome
from ..triage.model import Disposition
from .events import Outcome as OutcomeEvent
from .sentences import Sentences


@dataclass(frozen=True)
class Spoken:
    """One outcome as said: what comes first, what is offered, and the closing words."""

    first: tuple[str, ...]
    more: tuple[str, ...]
    close: tuple[str, ...]
    offered: bool = True
    """Whether `more` is offered. An emergency says only what to do now and until help comes:
    its `more` (the rules' advice at length) is for the clinician summary and the event only."""

    @property
    def text(self) -> str:
        """Everything, in order: the outcome event's text and the clinician summary's advice."""
        return " ".join(self.first + self.more + self.close)


def action(sentences: Sentences, outcome: Outcome, answers: Answers) -> str:
    """The one action said first: the level's own advice, or the `action` of the first rule that
    holds at the outcome's level and has one (through a "not sure" only where the rule says so)."""
    for rule, applied in outcome.rules:
        holds = rule.when.evaluate(answers) is True or (
            rule.action_when_unsure and rule.when.evaluate(answers, unsure_as_yes=True) is True)
        if rule.action and applied is outcome.disposition and holds:
            return sentences.fill(rule.action)
    return sentences.fill(sentences.content.dispositions[outcome.disposition].advice)


def spoken(sentences: Sentences, outcome: Outcome, answers: Answers) -> Spoken:
    """The outcome as said, in three parts (see the module's doc).

    One action and one time frame: every piece of advice is kept only where it agrees with the
    disposition. Red-flag and escalation advice is said when its rule applies at the outcome's
    level (a lower rule's "see a doctor today" is never said after "call 999 now"); a rule that
    holds only through "not sure" answers gives its conditional line instead. A self-care tip is
    said at the levels it lists and only when its `when` holds; in an emergency only the tips that
    name the emergency level (what to do until help comes), never home tips.
    """
    s = sentences
    level = outcome.disposition
    first = [action(s, outcome, answers)]
    advice_said: list[str] = []
    unsure_emergency = False
    for rule, applied in outcome.rules:
        if applied is not level:
            continue
        if rule.when.evaluate(answers) is not True:
            # It holds only if a "not sure" were yes: the causes' reasons say so; an emergency
            # rule adds what to do if the person finds they do have the sign.
            unsure_emergency = unsure_emergency or rule.level is Disposition.EMERGENCY
            continue
        if rule.advice not in advice_said and len(advice_said) < 2:
            advice_said.append(rule.advice)
    # Why, at more length: the top cause's reason says it in short. Without a cause to name, the
    # rule's advice is the reason, said at once.
    rule_advice = [s.line("outcome_red_flag", advice=s.fill(advice)) for advice in advice_said]
    if not outcome.causes:
        first += rule_advice[:1]
        rule_advice = rule_advice[1:]
    more = rule_advice
    if outcome.causes:
        first.append(_top_cause(s, outcome))
        if level is Disposition.EMERGENCY:
            first += _tips(s, outcome, answers)
        else:
            more += _other_causes(s, outcome) + _tips(s, outcome, answers)
            top = outcome.causes[0].cause
            if level in top.see_doctor:
                more.append(s.fill(top.see_doctor[level]))
    if level is Disposition.EMERGENCY:
        return Spoken(tuple(first), tuple(more), (), offered=False)
    first.append(s.line("outcome_unsure_emergency" if unsure_emergency else "emergency_if"))
    more += _safety_net(s, outcome, answers)
    return Spoken(tuple(first), tuple(more), (s.line("not_diagnosis"),))


def _top_cause(s: Sentences, outcome: Outcome) -> str:
    """The most likely cause with its first reason, in one sentence."""
    top = outcome.causes[0]
    if top.because:
        return s.line("cause_top", name=top.cause.name, reasons=top.because[0])
    return s.line("cause_top_plain", name=top.cause.name)


def _other_causes(s: Sentences, outcome: Outcome) -> list[str]:
    """The top cause's further reasons, then the other likely causes, each counted out."""
    said = []
    top = outcome.causes[0]
    if len(top.because) > 1:
        said.append(s.line("cause_also", reasons=f" {s.content.say('reason_join')} ".join(top.because[1:2])))
    items = []
    said_reasons: tuple[str, ...] = tuple(top.because[:2])
    for rc in outcome.causes[1:]:
        if rc.because and tuple(rc.because[:2]) == said_reasons:
            items.append(s.line("cause_same_reasons", name=rc.cause.name))
        elif rc.because:
            reasons = f" {s.content.say('reason_join')} ".join(rc.because[:2])
            items.append(s.line("cause_with_reasons", name=rc.cause.name, reasons=reasons))
        else:
            items.append(s.line("cause_plain", name=rc.cause.name))
        said_reasons = tuple(rc.because[:2])
    if items:
        items = [s.line("cause_numbered", i, what=item) for i, item in enumerate(items)]
        said.append(s.line("outcome_causes_other", items=" ".join(items)))
    return said


def _tips(s: Sentences, outcome: Outcome, answers: Answers) -> list[str]:
    """The top cause's first tips that fit the outcome (three; two in an emergency, and then only
    the tips whose `levels` name the emergency: what to do until help comes)."""
    level = outcome.disposition
    top = outcome.causes[0].cause
    emergency = level is Disposition.EMERGENCY
    tips = [t for t in top.self_care
            if (t.levels is not None and level in t.levels if emergency else t.fits(level))
            and (t.when is None or t.when.evaluate(answers) is True)]
    tips = tips[: 2 if emergency else 3]
    if not tips:
        return []
    intro = {Disposition.EMERGENCY: "self_care_intro_emergency",
             Disposition.URGENT: "self_care_intro_urgent"}.get(level, "self_care_intro")
    return [" ".join([s.line(intro), *(s.fill(t.say) for t in tips)])]


def _safety_net(s: Sentences, outcome: Outcome, answers: Answers) -> list[str]:
    """The signs to remember (dispositions.yaml `safety_net` of the outcome's level): a sign is
    left out when its `when` is false for what the person said (no "if you get a fever" to someone
    with a fever, no erections for a child)."""
    lines = s.content.dispositions[outcome.disposition].safety_net
    return [s.fill(line.say) for line in lines
            if line.when is None or line.when.evaluate(answers) is not False]


def record(outcome: Outcome, said: Spoken, questions: int) -> OutcomeEvent:
    """The `outcome` event of advice reached by the questions: the full text, and what was said
    at once (`first`) and what is offered (`more`)."""
    causes = [{"id": rc.cause.id, "name": rc.cause.name, "because": list(rc.because)}
              for rc in outcome.causes]
    return OutcomeEvent(outcome.disposition.value, list(outcome.red_flags), causes, said.text,
                        questions=questions, first=" ".join(said.first), more=" ".join(said.more))


def help_now(text: str, questions: int) -> tuple[Outcome, OutcomeEvent]:
    """"I need help now": an emergency outcome with no red flags or causes, and its event."""
    outcome = Outcome(Disposition.EMERGENCY, (), (), (), True)
    return outcome, OutcomeEvent(Disposition.EMERGENCY.value, [], [], text, because_of="help_now",
                                 questions=questions, first=text, more="")
