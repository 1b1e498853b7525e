"""The outcome as spoken: one action, why, the likely causes, self-care and the safety-net."""

from __future__ import annotations

from ..triage.conditions import Answers
from ..triage.engine import Outcome
from ..triage.model import Disposition
from .events import Outcome as OutcomeEvent
from .sentences import Sentences


def action(sentences: Sentences, outcome: Outcome, answers: Answers) -> str:
    """The one action said first: the level's own advice, or the `action` of the first rule that
    holds (not through a "not sure") at the outcome's level and has one."""
    for rule, applied in outcome.rules:
        if rule.action and applied is outcome.disposition and rule.when.evaluate(answers) is True:
            return sentences.fill(rule.action)
    return sentences.fill(sentences.content.dispositions[outcome.disposition].advice)


def parts(sentences: Sentences, outcome: Outcome, answers: Answers) -> list[str]:
    """The outcome as spoken, in order: the one action, why, causes, self-care, when to see a
    doctor, the safety-net, and that it is not a diagnosis.

    One action and one time frame: every piece of advice is kept only where it agrees with the
    disposition. Red-flag and escalation advice is said when its rule applies at the outcome's
    level (a lower rule's "see a doctor today" is never said after "call 999 now"); a rule that
    holds only through "not sure" answers gives its conditional line instead. A self-care tip
    is said at the levels it lists and only when its `when` holds; `see_doctor` only for the
    outcome's level.
    """
    s = sentences
    level = outcome.disposition
    said = [action(s, outcome, answers)]
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
    said += [s.line("outcome_red_flag", advice=s.fill(advice)) for advice in advice_said]
    if unsure_emergency and level is not Disposition.EMERGENCY:
        said.append(s.line("outcome_unsure_emergency"))
    if outcome.causes:
        said += _causes(s, outcome, answers)
    if level is not Disposition.EMERGENCY:
        said.append(s.line("safety_net"))
    said.append(s.line("not_diagnosis"))
    return said


def _causes(s: Sentences, outcome: Outcome, answers: Answers) -> list[str]:
    """The likely causes with their reasons, then the top cause's self-care and when to see a doctor."""
    level = outcome.disposition
    said = []
    items = []
    said_reasons: tuple[str, ...] = ()
    for rc in outcome.causes:
        if rc.because and tuple(rc.because[:2]) == said_reasons:
            items.append(s.line("cause_same_reasons", name=rc.cause.name))
        elif rc.because:
            reasons = f" {s.content.say('reason_join')} ".join(rc.because[:2])
            items.append(s.line("cause_with_reasons", name=rc.cause.name, reasons=reasons))
        else:
            items.append(s.line("cause_plain", name=rc.cause.name))
        said_reasons = tuple(rc.because[:2])
    if len(items) > 1:
        items = [s.line("cause_numbered", i, what=item) for i, item in enumerate(items)]
    key = "outcome_causes_one" if len(items) == 1 else "outcome_causes_many"
    said.append(s.line(key, items=" ".join(items)))
    top = outcome.causes[0].cause
    tips = [t for t in top.self_care
            if t.fits(level) and (t.when is None or t.when.evaluate(answers) is True)]
    tips = tips[: 2 if level is Disposition.EMERGENCY else 3]
    if tips:
        intro = {Disposition.EMERGENCY: "self_care_intro_emergency",
                 Disposition.URGENT: "self_care_intro_urgent"}.get(level, "self_care_intro")
        said.append(" ".join([s.line(intro), *(s.fill(t.say) for t in tips)]))
    if level in top.see_doctor:
        said.append(s.fill(top.see_doctor[level]))
    return said


def record(outcome: Outcome, text: str, questions: int) -> OutcomeEvent:
    """The `outcome` event of advice reached by the questions."""
    causes = [{"id": rc.cause.id, "name": rc.cause.name, "because": list(rc.because)}
              for rc in outcome.causes]
    return OutcomeEvent(outcome.disposition.value, list(outcome.red_flags), causes, text, questions=questions)


def help_now(text: str, questions: int) -> tuple[Outcome, OutcomeEvent]:
    """"I need help now": an emergency outcome with no red flags or causes, and its event."""
    outcome = Outcome(Disposition.EMERGENCY, (), (), (), True)
    return outcome, OutcomeEvent(Disposition.EMERGENCY.value, [], [], text, because_of="help_now",
                                 questions=questions)
