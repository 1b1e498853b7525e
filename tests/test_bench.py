"""The measurement command, `python -m bench`: its report, plots and scoring, and one small real run.

The report, the plots and the scoring are tested on a saved results file of a quick run with every
engine (tests/data/bench/quick_results.json, written by `python -m bench --quick`): a run of all
three engines takes minutes. One small real run, `python -m bench --quick --engines pocketsphinx
--answers 2 --jobs 1 --skip babble,numbers,real,sessions` (a real recognizer on two espeak-ng
answers, a yes and an age, at every babble level by every path; one short real-time session
through the command line for latency; the command's start-up; six test patients' triage
sessions), checks that the command measures and writes every output with consistent figures. The
parts it skips are measured for real here too, each on a handful of inputs and in this process:
spoken words (two recordings, clean and in babble) and babble alone (one segment per question);
the recorded digits are measured by tests/speech/test_recognition.py (bench.real_voices on 60 of
them), and whole spoken sessions through the command line by tests/test_spoken_sessions.py. The
other engines' own paths are tested in tests/speech/. No figure is asserted against a target here:
targets are reported by the benchmark, not enforced by tests.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from bench.corpus import LEVELS, Item, build_corpus, level_name
from bench.naive import naive_meaning, parse_days, parse_number
from bench.plots import plot_accuracy, plot_latency
from bench.report import markdown
from bench.scoring import percentile, score
from voice.triage.loader import load_content
from voice.understanding.grammar import Grammar

REPO = Path(__file__).resolve().parents[1]
SAVED = Path(__file__).parent / "data" / "bench" / "quick_results.json"
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
ENGLISH = ("PocketSphinx (en-us)", "Whisper (tiny.en)")
PATHS = ("ours", "naive", "fresh_listener", "first_answer")
"""The paths of one answer, as results.json names them (in its summaries and in each row)."""
QUICK_SKIPS = "babble,numbers,real,sessions"
"""The parts the real run leaves out (measured below in this process, or by other test files)."""


@pytest.fixture(scope="module")
def saved() -> dict[str, Any]:
    return json.loads(SAVED.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def quick_run(tmp_path_factory) -> tuple[Path, str, dict]:
    out = tmp_path_factory.mktemp("bench") / "tmp"
    done = subprocess.run(
        [sys.executable, "-m", "bench", "--quick", "--engines", "pocketsphinx", "--answers", "2",
         "--jobs", "1", "--skip", QUICK_SKIPS, "--out", str(out)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=1200,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    results = json.loads((out / "results.json").read_text(encoding="utf-8"))
    return out, done.stdout, results


# ---------------------------------------------------------------------- what every run must hold


def _accuracy_table_holds_percentages(text: str, results: dict[str, Any]) -> None:
    """The accuracy table: a row per engine and path, a percentage in [0, 100] at every level."""
    table = text.split("### Answers understood", 1)[1].split("\n\n", 2)[1]
    rows = [r for r in table.splitlines() if r.startswith("| ") and "%" in r]
    assert len(rows) >= 2 * len(results["understanding"])
    for row in rows:
        cells = [c.strip() for c in row.strip("|").split("|")]
        figures = [float(c.rstrip("%")) for c in cells[-len(LEVELS) :] if c != "n/a"]
        assert figures and all(0.0 <= f <= 100.0 for f in figures), row


def _understanding_counts_are_consistent(results: dict[str, Any]) -> None:
    for label, run in results["understanding"].items():
        assert run["levels"] == [level_name(s) for s in LEVELS]
        assert len(run["rows"]) == run["corpus"] * len(LEVELS), label
        for path in PATHS:
            for level in run["levels"]:
                s = run[path][level]
                assert s["n"] == run["corpus"], (label, path, level)
                assert s["correct"] + s["wrong"] + s["rejected"] == s["n"]
                assert 0.0 <= s["accuracy"] <= 100.0
                assert s["accuracy"] == pytest.approx(100.0 * s["correct"] / s["n"], abs=0.06)
                assert 0 <= s["red_flag_yes_as_no"] <= s["red_flag_yes"]
                assert s["yes_no_confusions"] <= s["wrong"]
        for category in run["by_category"].values():
            assert all(0 <= c["accuracy"] <= 100 for c in category.values())
        # Ours went through the assistant's listening path, not a stand-in.
        assert "AudioListener" in run["path"] and "ScriptedAudioSource" in run["path"]
        assert run["decode_ms"]["ours_after_endpoint"]["n"] > 0
        assert all(w["grammars_compiled"] <= run["corpus"] for w in run["workers"])


def _spoken_words_hold(words: dict[str, Any]) -> None:
    """People's own recordings of yes, no and digits, of one English engine."""
    assert words["clips"] > 0
    for level in words["levels"].values():
        for kind in ("yes_no", "digits"):
            c = level[kind]
            assert c["correct"] + c["rejected"] + c["wrong_confident"] <= c["n"]


def _babble_sessions_hold(sessions: dict[str, Any]) -> None:
    """Whole spoken sessions in babble, of one English engine."""
    assert sessions["sessions"] >= 1 and 0 <= sessions["same_level"] <= sessions["sessions"]
    assert not [r["error"] for r in sessions["rows"] if r["error"]], sessions["rows"]
    assert all(r["heard"] for r in sessions["rows"])  # the patient really spoke


def _babble_alone_holds(alone: dict[str, Any]) -> None:
    """Babble alone, no answer in it, on every question kind, of one English engine."""
    assert alone["segments"] == len(alone["rows"]) == sum(alone["counts"].values()) > 0
    assert {r["question"] for r in alone["rows"]} == {"ces_screen", "pain_score", "age", "duration"}


def _spoken_parts_hold_real_numbers(results: dict[str, Any], engines: list[str]) -> None:
    """People's own recordings, whole sessions in babble and babble alone, per English engine."""
    for label in engines:
        _spoken_words_hold(results["spoken_words"][label])
        _babble_sessions_hold(results["babble_sessions"][label])
        _babble_alone_holds(results["babble_alone"][label])


def _real_voices_hold(results: dict[str, Any]) -> None:
    real = results["real_voices"]
    assert real["clips"] == 10 and real["rate_hz"] == 8000  # --quick: one take of each digit
    assert sorted(r["expected"] for r in real["rows"]) == [str(d) for d in range(10)]
    for key in ("ours", "naive"):
        c = real[key]
        assert c["correct"] + c["wrong"] + c["rejected"] == c["n"] == 10
    assert sum(r["ours"] == r["expected"] for r in real["rows"]) == real["ours"]["correct"]
    assert all(r["ours_text"] is None or isinstance(r["ours_text"], str) for r in real["rows"])


# ---------------------------------------------------------------------- a saved run of every engine


def test_report_of_a_saved_run_lists_every_level_engine_and_part(saved):
    text = markdown(saved)
    for snr in LEVELS:
        assert level_name(snr) in text
    assert "naive peer" in text and "ratio ours / naive" in text
    for label in saved["understanding"]:
        assert label in text
    assert set(saved["understanding"]) >= {"PocketSphinx (en-us)", "Whisper (tiny.en)",
                                           "Vosk (Korean model, ko answers)"}
    for part in ("Triage accuracy", "Reply latency", "Start-up", "Real voices", "Whole spoken sessions",
                 "Babble alone", "### Real voices: 10 recorded digits"):
        assert part in text, part
    assert "Whisper (tiny.en, int8, 2 threads)" in text  # its start-up row
    _accuracy_table_holds_percentages(text, saved)


def test_report_gives_the_saved_figures(saved):
    """Each engine's own accuracy at every level is in its row of the accuracy table, as written."""
    text = markdown(saved)
    table = text.split("### Answers understood", 1)[1].split("\n\n", 2)[1]
    for label, run in saved["understanding"].items():
        ours = next(r for r in table.splitlines() if r.startswith(f"| {label} | grammar"))
        for level in run["levels"]:
            assert f"{run['ours'][level]['accuracy']:.1f}%" in ours, (label, level, ours)


def test_scoring_a_saved_run_gives_its_figures(saved):
    """The saved answers of each English engine, scored again per path and level, give the saved counts."""
    items = {c["id"]: Item(**{**c, "voice": None}) for c in saved["corpus"]}
    scored = 0
    for label in ENGLISH:
        run = saved["understanding"].get(label)
        if run is None:
            continue
        for path in PATHS:
            for level in run["levels"]:
                pairs = [(items[r["item"]], r[path]) for r in run["rows"] if r["level"] == level]
                assert score(pairs) == run[path][level], (label, path, level)
                scored += 1
    assert scored >= len(PATHS) * len(LEVELS)


def test_plots_of_a_saved_run(saved, tmp_path):
    for plot, name in ((plot_accuracy, "accuracy_snr.png"), (plot_latency, "latency.png")):
        plot(saved, tmp_path / name)
        data = (tmp_path / name).read_bytes()
        assert data[:8] == PNG_MAGIC
        assert len(data) > 10_000, f"{name} is too small to hold a plot"


def test_a_saved_run_of_every_engine_is_consistent(saved):
    _understanding_counts_are_consistent(saved)
    _spoken_parts_hold_real_numbers(saved, [e for e in ENGLISH if e in saved["understanding"]])
    _real_voices_hold(saved)


# ---------------------------------------------------------------------- one small real run


@pytest.mark.speech
@pytest.mark.slow
def test_quick_run_writes_every_output(quick_run):
    out, stdout, _ = quick_run
    for name in ("README.md", "results.json", "accuracy_snr.png", "latency.png"):
        assert (out / name).is_file(), name
    for name in ("accuracy_snr.png", "latency.png"):
        data = (out / name).read_bytes()
        assert data[:8] == PNG_MAGIC
        assert len(data) > 10_000, f"{name} is too small to hold a plot"
    assert (out / "README.md").read_text(encoding="utf-8").strip() == stdout.strip()


@pytest.mark.speech
@pytest.mark.slow
def test_quick_run_measures_understanding_with_a_real_recognizer(quick_run):
    _, stdout, results = quick_run
    assert set(results["understanding"]) == {"PocketSphinx (en-us)"}
    _accuracy_table_holds_percentages(stdout, results)
    _understanding_counts_are_consistent(results)
    # The assistant's own path understands clean English answers: a real recognizer ran.
    clean = results["understanding"]["PocketSphinx (en-us)"]["ours"]["clean"]
    assert clean["correct"] > 0


@pytest.mark.speech
@pytest.mark.slow
def test_quick_run_triage_and_settings_hold_real_numbers(quick_run):
    _, _, results = quick_run
    triage = results["triage"]
    assert triage["count"] > 0
    assert sum(r["count"] for r in triage["rows"][:-1]) == triage["count"] == triage["rows"][-1]["count"]
    assert 0 <= triage["overall"]["safe_pct"] <= 100
    settings = results["settings"]
    assert settings["machine"]["cpus"] >= 1 and settings["packages"]["pocketsphinx"]
    assert results["tts"]["prompts"] > 0 and results["tts"]["first_median_ms"] > 0


@pytest.mark.speech
@pytest.mark.slow
def test_quick_run_latency_and_startup_hold_real_numbers(quick_run):
    _, _, results = quick_run
    lat = results["latency"]
    assert lat["turns"] > 0 and lat["latency_ms"], lat
    assert not [s["error"] for s in lat["per_session"] if s["error"]], lat["per_session"]
    assert len(lat["latency_ms"]) <= sum(len(s["heard"]) for s in lat["per_session"])
    assert all(0 <= v < 30_000 for v in lat["latency_ms"])
    assert lat["median"] is not None and lat["p90"] >= lat["median"]
    start = results["startup"]["PocketSphinx (bundled en-us model)"]
    assert start["first_say_s"] and all(0 < s < 60 for s in start["first_say_s"])
    assert start["rss_mb"] and all(10 < m < 4000 for m in start["rss_mb"])
    assert 0 < results["run_seconds"] and set(results["stage_seconds"]) >= {"startup", "latency", "triage"}


@pytest.mark.speech
@pytest.mark.slow
def test_quick_run_leaves_out_only_what_it_was_told_to(quick_run):
    _, stdout, results = quick_run
    assert results["settings"]["command"].endswith(f"--answers 2 --jobs 1 --skip {QUICK_SKIPS}")
    assert {i["category"] for i in results["corpus"]} == {"yes", "age"}  # two kinds of answer
    assert not {"real_voices", "spoken_words", "babble_sessions", "babble_alone"} & set(results)
    assert "Triage accuracy" in stdout and "Reply latency" in stdout and "Start-up" in stdout


# ---------------------------------------------------------------------- the parts the real run skips


@pytest.mark.speech
def test_spoken_words_are_measured_with_a_real_recognizer(tmp_path):
    """Two recordings of people (bench.real_voices.measure_spoken_words, --quick), clean and in babble,
    through the listener and PocketSphinx."""
    from bench.real_voices import measure_spoken_words

    words = measure_spoken_words(load_content(), Grammar.load(), tmp_path, "pocketsphinx", None, quick=True)
    assert words is not None, "no recordings of spoken words (tests/data/spoken-words)"
    _spoken_words_hold(words)
    assert set(words["levels"]) == {level_name(None), level_name(10.0)}
    assert len(words["rows"]) == 2 * words["clips"]
    assert any(r["text"] for r in words["rows"])  # a real recognizer heard words in them


@pytest.mark.speech
def test_babble_alone_is_measured_with_a_real_recognizer(tmp_path):
    """One segment of babble as the answer to each question kind (bench.babble_alone, --quick)."""
    from bench.babble_alone import OUTCOMES, measure_babble_alone

    alone = measure_babble_alone(load_content(), Grammar.load(), tmp_path, "pocketsphinx", quick=True)
    _babble_alone_holds(alone)
    assert set(alone["counts"]) <= set(OUTCOMES)


# ---------------------------------------------------------------------- the parts, without a run


def test_corpus_is_seeded_and_every_item_is_understood_as_text():
    content, grammar = load_content(), Grammar.load()
    a = build_corpus(content, grammar, seed=3)
    b = build_corpus(content, grammar, seed=3)
    c = build_corpus(content, grammar, seed=4)
    assert a.items == b.items
    assert a.items != c.items
    assert len(a.items) >= 50
    assert len({i.voice.name for i in a.items}) >= 6
    assert len({i.voice.speed for i in a.items}) >= 3 and len({i.voice.pitch for i in a.items}) >= 3
    assert {i.category for i in a.items} >= {
        "yes",
        "no",
        "unsure",
        "age",
        "pain_score",
        "duration",
        "command",
    }
    assert any(i.red_flag and i.expected == "yes" for i in a.items)
    for item in a.items:
        assert item.question in content.questions


def test_naive_peer_keyword_spotting():
    choices = (("less_than_week", 6), ("one_to_six_weeks", 42), ("more_than_six_weeks", None))
    assert naive_meaning("yeah i think so", "yes_no") == "yes"
    assert naive_meaning("no not really", "yes_no") == "no"
    assert naive_meaning("i'm not sure", "yes_no") == "unsure"
    assert naive_meaning("i need help now", "yes_no") == "command:help_now"
    assert naive_meaning("about seven out of ten", "number") == "7"
    assert naive_meaning("about three weeks", "choice", choices) == "one_to_six_weeks"
    assert naive_meaning("the cat sat", "yes_no") is None
    assert parse_number("sixty seven") == 67 and parse_number("nothing") is None
    assert parse_days("a couple of months") == 60 and parse_days("since yesterday") == 1


def test_scoring_counts_kinds_of_errors():
    content, grammar = load_content(), Grammar.load()
    items = [i for i in build_corpus(content, grammar, seed=0).items if i.red_flag and i.expected == "yes"][
        :3
    ]
    s = score([(items[0], "yes"), (items[1], "no"), (items[2], None)])
    assert (s["correct"], s["wrong"], s["rejected"]) == (1, 1, 1)
    assert s["yes_no_confusions"] == 1 and s["red_flag_yes_as_no"] == 1 and s["red_flag_yes"] == 3
    assert percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 90) == 9


def test_the_levels_option_names_clean_and_snrs_and_refuses_anything_else(capsys):
    """`--levels clean,10` limits the understanding part to those levels (issue 27's before and after
    runs); a level that is neither gets a clear message and exit 2, before anything is measured."""
    from bench.__main__ import main, parse_levels

    assert parse_levels("clean, 10 dB,5") == (None, 10.0, 5.0)
    assert parse_levels(None) is None and parse_levels("") is None
    assert main(["--levels", "clean,loud"]) == 2
    assert "'loud' is no level" in capsys.readouterr().err
