"""Yes, no or not sure, however it is phrased, on a question about some findings.

A yes or no word at the start decides, unless the rest of the answer says a finding the question asks
about is there: "no, I can't pee" to the cauda equina screen is a yes, whatever came first. A finding
said with a negation before it ("no numbness down there") is a no; with a hedge ("I might have a
temperature") a not sure. After a correction ("no, wait, yes") only what follows it counts.
"""

from __future__ import annotations

from .phrasing import Phrasing
from .wording import Clause, Template, mask

YES, NO, UNSURE = "yes", "no", "unsure"
CHECK = "confirm"
"""The id of the session's check of what it heard ("I heard 8. Is that right?"), as events name it."""
SCOPE = 5
"""How many words before a finding's phrase a negation or hedge may stand and still apply to it."""
QUALIFIED_WORDS = 3
"""A no followed by a "but" clause of at least this many words that says nothing this reader can
place ("not a proper temperature, but I've been shaking under the duvet") is a qualified no: not
sure, so a red-flag screen asks its signs one at a time instead of taking it as none."""


def yes_no(clauses: list[Clause], findings: tuple[str, ...], words: Phrasing) -> str | None:
    """"yes", "no", "unsure", or None when the answer says none of these."""
    tail = _after_correction(clauses, words)
    if tail is not None:
        meaning = _decide(tail, findings, words)
        if meaning is not None:
            return meaning
    meaning = _decide(clauses, findings, words)
    if meaning is None:
        return _said_last(clauses, words)
    if meaning == NO and findings and _qualified(clauses, findings, words):
        return UNSURE
    if meaning == YES and findings and _discounted(clauses, findings, words):
        # Asked alone, a no; in a screen of several, each sign is then asked on its own.
        return NO if len(findings) == 1 else UNSURE
    return meaning


def _discounted(clauses: list[Clause], findings: tuple[str, ...], words: Phrasing) -> bool:
    """A yes that rests only on findings that count only when new or unexplained ("both legs newly
    affected", "a new limp", a procedure "in the last three months"), each said not to count: so for a
    long time with nothing changed lately ("both legs, but it's been like that for a couple of
    years"), or explained by something harmless with nothing said that keeps it a sign ("both legs
    are sore, but that's just from the training", not "numb since the gym"). An explanation denied
    or hedged ("I don't think it's the tablets", "maybe it's the gym") explains nothing."""
    said = [c.text for c in clauses]
    asserted = list(findings) if len(findings) == 1 else [
        f for f in findings
        if f in words.findings and any(t.search(text) for t in words.findings[f].yes for text in said)]
    said.append(" " + " ".join(t.strip() for t in said) + " ")  # "sore, but that's from training"

    def says(templates) -> bool:
        return any(t.search(text) for t in templates for text in said)

    def keeps(templates) -> bool:  # a sign said keeps it one; "no numbness", "nothing like sciatica" do not
        return any(not _right_after_negation(text, start, words) and _scope(text, start, words) != NO
                   for t in templates for text in said for start, _ in t.spans(text))

    def explains(templates) -> bool:  # "I don't think it's the tablets", "maybe it's the gym": no reason
        return any(_scope(_without_answer_word(text, words), start, words) is None
                   for t in templates for text in said for start, _ in t.spans(text))

    if not asserted:  # a screen's yes that names no sign: it rests on the signs said not to count
        asserted = [f for f in findings if f in words.findings
                    and (says(words.findings[f].long_standing) or explains(words.findings[f].explained))]
    if not asserted:
        return False

    for fid in asserted:
        found = words.findings.get(fid)
        if found is None or not (says(found.long_standing) and not keeps(found.recent)
                                 or explains(found.explained) and not keeps(found.unexplained)):
            return False
    return True


def _right_after_negation(text: str, start: int, words: Phrasing) -> bool:
    """Whether the word just before position `start` of `text` is a negation ("no numbness")."""
    before = text[:start].split()
    return bool(before) and before[-1] in words.answers.negators


def _qualified(clauses: list[Clause], findings: tuple[str, ...], words: Phrasing) -> bool:
    """A clause after a "but" that says something, though nothing this reader can place."""
    return any(c.after_contrast and len(c.text.split()) >= QUALIFIED_WORDS
               and _decide([c], findings, words) is None for c in clauses)


def check_reply(text: str, words: Phrasing) -> str | None:
    """A reply to the check of what was heard in words that only mean yes or no there ("spot on",
    "you misheard"): YES, NO, or None to read it as any other yes / no answer. A reply that says the
    person does not know ("I don't know if that's what I said") is left to that reading: not sure."""
    a = words.answers
    if any(t.search(text) for t in a.unsure):
        return None
    if any(t.search(text) for t in a.check_no):
        return NO
    if any(t.search(text) for t in a.check_yes):
        return YES
    return None


def _said_last(clauses: list[Clause], words: Phrasing) -> str | None:
    """When nothing else decided: a yes or no said last, after the rest of the answer, where a
    transcript wrote no comma before it ("i don't think i've got any of those no")."""
    last = clauses[-1].text.split() if clauses else []
    if len(last) < 2 or last[-1] not in words.answers.said_last:
        return None
    word = f" {last[-1]} "
    return _leading(word, words.answers.leading_no, NO) or _leading(word, words.answers.leading_yes, YES)


def _after_correction(clauses: list[Clause], words: Phrasing) -> list[Clause] | None:
    """The clauses after the last correction ("wait", "actually", "I mean"), or None if there is none."""
    last: tuple[int, int] | None = None
    for i, clause in enumerate(clauses):
        for template in words.answers.corrections:
            for _start, end in template.spans(clause.text):
                if last is None or (i, end) > last:
                    last = (i, end)
    if last is None:
        return None
    i, end = last
    rest = [Clause(" " + clauses[i].text[end:])] if clauses[i].text[end:].strip() else []
    return rest + clauses[i + 1:]


def _decide(clauses: list[Clause], findings: tuple[str, ...], words: Phrasing) -> str | None:
    asserted = False
    denied = False
    negated: list[str] = []
    cues: list[str] = []
    leading: str | None = None
    a = words.answers
    for index, clause in enumerate(clauses):
        text = clause.text
        text = _take(text, a.yes_first, YES, cues)
        for template in (*a.someone_else, *a.own_children):
            m = template.search(text)
            if m is not None:
                text = mask(text, [(m.start(), len(text))])
        for fid in findings:
            found = words.findings.get(fid)
            if found is None:
                continue
            text, said = _take_denials(text, found.no, words, cues, negated)
            denied = denied or said
            text = _take(text, found.unsure, UNSURE, cues)
            for template in found.yes:
                spans = template.spans(text)
                for start, end in spans:
                    scope = _phrase_scope(text, start, end, template, words)
                    if scope is None:
                        asserted = True
                    else:
                        cues.append(scope)
                text = mask(text, spans)
        text = _take(text, a.unsure, UNSURE, cues)
        if index == 0:
            leading = _leading(text, a.leading_no, NO) or _leading(text, a.leading_yes, YES)
        text, _ = _take_denials(text, a.no, words, cues, negated)
        text = _take(text, a.yes, YES, cues)
        if index > 0 and leading is None:
            # A second clause may carry the answer word: "sorry, no".
            leading = _leading(text, a.leading_no, NO) or _leading(text, a.leading_yes, YES)
    if asserted:
        return YES
    if UNSURE in cues:
        # A yes with a denial it denies ("yes, I'm not dieting") says the same thing twice.
        if leading == YES and cues.count(UNSURE) == len(negated) and not denied:
            return YES
        return UNSURE
    if leading == YES and denied:
        # "Yes, I can stand" to "are you unable to stand?": the yes and the words disagree.
        return UNSURE
    if leading is not None:
        return leading
    if YES in cues and NO not in cues:
        return YES
    if NO in cues and YES not in cues:
        return NO
    if cues:
        return UNSURE
    return None


def _phrase_scope(text: str, start: int, end: int, template: Template, words: Phrasing) -> str | None:
    """NO or UNSURE when a negation or hedge applies to the phrase at text[start:end] (before it, or
    inside its gaps: "my ankle isn't clicking"), else None: the phrase is said as it stands."""
    inside = set(text[start:end].split()) - template.literals
    if inside & words.answers.negators:
        return NO
    return UNSURE if inside & _hedge_words(words) else _scope(text, start, words)


def held_answers(guard: str | None, screen: bool) -> frozenset[str]:
    """The answers whose sentences end a spoken turn only at the longer pause (`Expectation.held`):
    on a red-flag question (its safer answer, `guard`, is yes) the no and the not sure, which a "but"
    after a pause may take back ("no, but my inner thighs are numb"), and on an "any of these?"
    screen the yes too, which may name its sign after one ("yes, I had a fall")."""
    if guard != YES:
        return frozenset()
    return frozenset({NO, UNSURE, YES} if screen else {NO, UNSURE})


def named_signs(clauses: list[Clause], findings: tuple[str, ...], words: Phrasing) -> tuple[str, ...]:
    """The findings of an "any of these?" question that a yes names in so many words ("yes, I had a
    fall"): each in its own phrase, with no negation or hedge on it, and not said not to count (long
    standing, or explained away). Words that are a phrase of two of them ("my calf is tight and
    swollen": a tense leg or a swollen calf) name neither: both are asked. After a correction ("no,
    wait, yes") only what follows counts."""
    clauses = _after_correction(clauses, words) or clauses
    spans: dict[str, list[tuple[int, int, int]]] = {}
    for fid in findings:
        found = words.findings.get(fid)
        if found is None or yes_no(clauses, (fid,), words) != YES or _discounted(clauses, (fid,), words):
            continue
        spans[fid] = [(i, start, end) for i, c in enumerate(clauses) for t in found.yes
                      for start, end in t.spans(c.text)
                      if _phrase_scope(c.text, start, end, t, words) is None]

    def alone(fid: str, span: tuple[int, int, int]) -> bool:
        i, start, end = span
        return not any(j == i and s < end and start < e for other, found in spans.items() if other != fid
                       for j, s, e in found)

    return tuple(f for f in findings if any(alone(f, span) for span in spans.get(f, ())))


def _hedge_words(words: Phrasing) -> set[str]:
    return {t.source for t in words.answers.hedges if " " not in t.source.strip()}


def _take(text: str, phrases: tuple[Template, ...], meaning: str, cues: list[str]) -> str:
    """Note `meaning` once per phrase found, and mask the phrase so no other reads its words."""
    for template in phrases:
        spans = template.spans(text)
        if spans:
            cues.extend([meaning] * len(spans))
            text = mask(text, spans)
    return text


def _take_denials(text: str, phrases: tuple[Template, ...], words: Phrasing,
                  cues: list[str], negated: list[str]) -> tuple[str, bool]:
    """Denials ("my chest is fine", "fine"), masked as `_take` does. One that is itself negated
    or hedged ("my chest is not fine", "I wouldn't say my breathing's normal", "maybe it's fine")
    denies nothing: it leaves the answer not sure, unless it starts with a word of `contrast`. A
    "no" that starts the answer agrees with the denial after it ("no, chest is fine", as a
    transcript writes it without the comma). A denial with a negation in its gap is not masked, so a
    sign's phrase may still read its words. Returns the masked text and whether a plain denial
    was said; the denials that were negated or hedged are added to `negated`."""
    denied = False
    for template in phrases:
        spans = template.spans(text)
        kept = []  # negated in its gap ("down there hasn't felt normal"): left for the signs to read
        for start, end in spans:
            said = text[start:end].split()
            if set(said) & template.literals & words.answers.negators:
                # A denial in words that already deny ("not at all", "nothing new"): a negation before
                # it only says it again ("never, not at all").
                cues.append(NO)
                denied = True
                continue
            inside = set(said) - template.literals
            if inside & words.answers.negators:
                kept.append((start, end))
                scope = NO
            elif inside & _hedge_words(words):
                scope = UNSURE
            elif said[0] in words.answers.contrast:
                scope = None
            else:
                scope = _scope(_without_answer_word(text, words), start, words)
            if scope is None:
                cues.append(NO)
                denied = True
            else:
                cues.append(UNSURE)
                negated.append(text[start:end])
        masked = [span for span in spans if span not in kept]
        if masked:
            text = mask(text, masked)
    return text, denied


def _without_answer_word(text: str, words: Phrasing) -> str:
    """`text` with a no that starts it ("no", "nope", "not really") blanked out, the same length so
    that positions hold."""
    for template in words.answers.leading_no:
        m = template.search(text)
        if m is not None and m.start() == 0:
            return text[:m.start()] + " " * (m.end() - m.start()) + text[m.end():]
    return text


def _leading(text: str, phrases: tuple[Template, ...], meaning: str) -> str | None:
    for template in phrases:
        m = template.search(text)
        if m is not None and m.start() == 0:
            return meaning
    return None


def _scope(text: str, start: int, words: Phrasing) -> str | None:
    """NO if a negation, UNSURE if a hedge, stands shortly before `start` in the same clause; else None.

    A new subject in between ("no, I can't pee": "I") ends the reach of what came before it, except
    of a negated belief ("I don't think I have a fever"). Verb negations in pairs cancel ("I wouldn't
    say it isn't weak"); "no", "not" or "never" in reach always deny."""
    before = text[:start].split()[-SCOPE:]
    a = words.answers
    crossed = False
    negations = []
    for i in range(len(before) - 1, -1, -1):
        word = before[i]
        if word in a.negators and (not crossed or (i + 1 < len(before) and before[i + 1] in a.belief_words)):
            negations.append(word)
        if word in a.new_subject:
            crossed = True
    if negations and (any(w not in a.verb_negators for w in negations) or len(negations) % 2 == 1):
        return NO
    window = " " + " ".join(before) + " "
    cut = max((window.rfind(f" {w} ") for w in words.answers.new_subject), default=-1)
    window = window[cut + 1:] if cut >= 0 else window
    if any(t.search(" " + window.strip() + " ") for t in words.answers.hedges):
        return UNSURE
    return None
