"""The read-back before advice to stay at home or book: the key answers and the warning signs
answered no, so a hasty or misheard answer can be put right. Mixed into Triage (voice.triage.engine)."""

from __future__ import annotations

from .conditions import NO, UNSURE, YES, Answers
from .model import Choice, Content, Kind, Question

READBACK_CONFIRM = "readback_confirm"
READBACK_WHICH = "readback_which"


class ReadBack:
    """The read-back's questions and items, from the answers of a Triage."""

    content: Content
    answers: Answers
    asked: list[str]

    def readback_items(self) -> tuple[tuple[Question, object], ...]:
        """Key answers: everything not answered plainly no, in the order asked."""
        items = []
        for qid in self.asked:
            q = self.content.questions[qid]
            value = self.answer_of(q)
            if value is None or value == NO:
                continue
            items.append((q, value))
        return tuple(items)

    def readback_denied(self) -> tuple[Question, ...]:
        """Warning-sign questions answered no, in the order asked: read back as "none of these", so a
        hasty or misheard no can be put right. A question counts when one of its findings alone
        would raise a red flag."""
        return tuple(q for q in (self.content.questions[qid] for qid in self.asked)
                     if self.answer_of(q) == NO and any(f in self._alone_red_flags() for f in q.findings))

    def _alone_red_flags(self) -> set[str]:
        """Findings that raise a red flag on their own, whatever else is known."""
        return {f for rule in self.content.red_flags for f in rule.when.findings()
                if rule.when.evaluate(Answers({f: YES})) is True}

    def answer_of(self, question: Question) -> object:
        """The person's answer to a question as it stands (yes, no, unsure, a number, a choice)."""
        values = [self.answers.values.get(f) for f in question.findings]
        if question.kind is not Kind.YES_NO:
            return values[0]
        if any(v == YES for v in values) or any(set(question.findings) >= g for g in self.answers.any_yes):
            return YES
        if values and all(v == NO for v in values):
            return NO
        if any(v == UNSURE for v in values):
            return UNSURE
        return None

    def _readback_confirm(self) -> Question:
        return Question(READBACK_CONFIRM, Kind.YES_NO, (), self.content.say("readback_confirm"),
                        self.content.say("readback_confirm"), self.content.say("readback_confirm"), "", "")

    def _readback_which(self) -> Question:
        choices = tuple(Choice(q.id, q.readback) for q, _ in self.readback_items())
        choices += tuple(Choice(q.id, q.readback) for q in self.readback_denied())
        text = self.content.say("readback_which")
        return Question(READBACK_WHICH, Kind.CHOICE, (), text, text, text, "", "", choices=choices)
