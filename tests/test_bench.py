"""The measurement command: `python -m bench --quick` runs for real and writes consistent figures.

One quick run (real recognizers on espeak-ng speech in real babble, real CLI sessions, real
triage sessions) is shared by the tests of this module. No figure is asserted against a target
here: targets are reported by the benchmark, not enforced by tests.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from bench.corpus import LEVELS, build_corpus, level_name
from bench.naive import naive_meaning, parse_days, parse_number
from bench.scoring import percentile, score
from voice.triage.loader import load_content
from voice.understanding.grammar import Grammar

REPO = Path(__file__).resolve().parents[1]
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def quick_run(tmp_path_factory) -> tuple[Path, str, dict]:
    out = tmp_path_factory.mktemp("bench") / "tmp"
    done = subprocess.run(
        [sys.executable, "-m", "bench", "--quick", "--out", str(out)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=1200,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    results = json.loads((out / "results.json").read_text(encoding="utf-8"))
    return out, done.stdout, results


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
def test_table_lists_every_level_engine_and_the_peer(quick_run):
    _, stdout, results = quick_run
    for snr in LEVELS:
        assert level_name(snr) in stdout
    assert "naive peer" in stdout and "ratio ours / naive" in stdout
    assert "PocketSphinx" in stdout
    assert "Vosk (Korean model, ko answers)" in stdout
    assert "Triage accuracy" in stdout and "Reply latency" in stdout and "Start-up" in stdout
    assert set(results["understanding"]) >= {"PocketSphinx (en-us)", "Vosk (Korean model, ko answers)"}
    # The accuracy table: a row per engine and path, a percentage in [0, 100] at every level.
    table = stdout.split("### Answers understood", 1)[1].split("\n\n", 2)[1]
    rows = [r for r in table.splitlines() if r.startswith("| ") and "%" in r]
    assert len(rows) >= 2 * len(results["understanding"])
    for row in rows:
        cells = [c.strip() for c in row.strip("|").split("|")]
        figures = [float(c.rstrip("%")) for c in cells[-len(LEVELS) :] if c != "n/a"]
        assert figures and all(0.0 <= f <= 100.0 for f in figures), row
    # Ours went through the assistant's listening path, not a stand-in.
    for run in results["understanding"].values():
        assert "AudioListener" in run["path"] and "ScriptedAudioSource" in run["path"]
        assert run["decode_ms"]["ours_after_endpoint"]["n"] > 0
        assert all(w["grammars_compiled"] <= run["corpus"] for w in run["workers"])


@pytest.mark.speech
@pytest.mark.slow
def test_understanding_counts_are_consistent(quick_run):
    _, _, results = quick_run
    for label, run in results["understanding"].items():
        assert run["levels"] == [level_name(s) for s in LEVELS]
        assert len(run["rows"]) == run["corpus"] * len(LEVELS), label
        for path in ("ours", "naive", "fresh_listener", "first_answer"):
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
    # The assistant's own path understands clean English answers: a real recognizer ran.
    clean = results["understanding"]["PocketSphinx (en-us)"]["ours"]["clean"]
    assert clean["correct"] > 0


@pytest.mark.speech
@pytest.mark.slow
def test_triage_and_settings_hold_real_numbers(quick_run):
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
def test_latency_and_startup_hold_real_numbers(quick_run):
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
def test_whisper_rows_real_voices_and_babble_sessions(quick_run):
    """Whisper beside PocketSphinx on the same audio; people's own recordings; whole sessions in babble."""
    from voice.speech.whisper_models import find_whisper_model

    _, stdout, results = quick_run
    engines = ["PocketSphinx (en-us)"] + (["Whisper (tiny.en)"] if find_whisper_model() else [])
    assert set(results["understanding"]) >= set(engines)
    for label in engines:
        words = results["spoken_words"][label]
        assert words["clips"] > 0
        for level in words["levels"].values():
            for kind in ("yes_no", "digits"):
                c = level[kind]
                assert c["correct"] + c["rejected"] + c["wrong_confident"] <= c["n"]
        sessions = results["babble_sessions"][label]
        assert sessions["sessions"] >= 1 and 0 <= sessions["same_level"] <= sessions["sessions"]
        assert not [r["error"] for r in sessions["rows"] if r["error"]], sessions["rows"]
        assert all(r["heard"] for r in sessions["rows"])  # the patient really spoke
        alone = results["babble_alone"][label]
        assert alone["segments"] == len(alone["rows"]) == sum(alone["counts"].values()) > 0
        assert {r["question"] for r in alone["rows"]} == {"ces_screen", "pain_score", "age", "duration"}
    assert "Real voices" in stdout and "Whole spoken sessions" in stdout and "Babble alone" in stdout
    if "Whisper (tiny.en)" in engines:
        assert "Whisper (tiny.en, int8, 2 threads)" in results["startup"]
        assert results["latency_whisper"]["latency_ms"]


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


@pytest.mark.speech
@pytest.mark.slow
def test_real_voices_are_measured_on_the_recordings(quick_run):
    _, stdout, results = quick_run
    real = results["real_voices"]
    assert real["clips"] == 10 and real["rate_hz"] == 8000  # --quick: one take of each digit
    assert sorted(r["expected"] for r in real["rows"]) == [str(d) for d in range(10)]
    for key in ("ours", "naive"):
        c = real[key]
        assert c["correct"] + c["wrong"] + c["rejected"] == c["n"] == 10
    assert sum(r["ours"] == r["expected"] for r in real["rows"]) == real["ours"]["correct"]
    assert all(r["ours_text"] is None or isinstance(r["ours_text"], str) for r in real["rows"])
    assert "### Real voices: 10 recorded digits" in stdout
