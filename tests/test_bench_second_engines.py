"""How bench.second_engines counts each second engine's turns: on rows written as the measurement
writes them (the measurement itself needs Whisper and Moonshine and minutes: it prints figures, it
is not a test)."""

from __future__ import annotations

from bench.second_engines import SECONDS, counts, decode_times, report


def row(expected, whisper_meaning, **engines):
    out = {"set": "numbers", "level": "clean", "question": "age", "said": "", "expected": expected,
           "whisper": "", "whisper_meaning": whisper_meaning, "whisper_sure": False}
    for name in SECONDS:
        role, meaning, agree = engines.get(name, (None, whisper_meaning, None))
        out[name] = {"role": role, "heard": "", "meaning": meaning, "sure": False, "agree": agree,
                     "ms": 100.0 if role else None}
    return out


def test_a_guess_counts_as_recovered_only_when_right_and_new():
    rows = [row("15", None, pocketsphinx=("opinion", "15", None), moonshine=("opinion", "50", None)),
            row("15", None, pocketsphinx=("opinion", None, None), moonshine=("opinion", "15", None))]
    c = counts(rows)["numbers, clean"]
    assert c["pocketsphinx"]["opinion_asked"] == c["moonshine"]["opinion_asked"] == 2
    assert (c["pocketsphinx"]["recovered"], c["pocketsphinx"]["wrong_guesses"]) == (1, 0)
    assert (c["moonshine"]["recovered"], c["moonshine"]["wrong_guesses"]) == (1, 1)


def test_the_second_ear_agreeing_with_a_wrong_number_or_babble_is_counted_apart():
    rows = [row("15", "50", pocketsphinx=("ear", "50", True), moonshine=("ear", "50", False)),
            row(None, "5", pocketsphinx=("ear", "5", False), moonshine=("ear", "5", True)),
            row("78", "78", pocketsphinx=("ear", "78", True), moonshine=("ear", "78", False))]
    c = counts(rows)["numbers, clean"]
    assert (c["pocketsphinx"]["ear_agreed_wrong"], c["pocketsphinx"]["ear_wrong"]) == (1, 2)
    assert (c["moonshine"]["ear_agreed_wrong"], c["moonshine"]["ear_wrong"]) == (1, 2)
    assert (c["pocketsphinx"]["ear_agreed_right"], c["moonshine"]["ear_agreed_right"]) == (1, 0)
    assert decode_times(rows)["moonshine"]["n"] == 3
    table = report({"counts": counts(rows), "decode_ms": decode_times(rows)})
    assert any(line.startswith("| numbers, clean (3) | 1 | moonshine |") for line in table)
