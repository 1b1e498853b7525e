"""The kiosk soak benchmark runs the real kiosk with a crowd of simulated people."""

from __future__ import annotations

from bench.soak import format_result, main, run
from voice.dialog.events import Heard, Record


def test_a_crowd_goes_through_the_kiosk(tmp_path):
    result = run(40, "text", seed=3, work=tmp_path)
    assert result["served"] == 40 and result["failures"] == 0 and result["errors"] == 0
    # Every person ended one way or another, and the kinds of people all came.
    assert sum(result["resets"].values()) == 40
    assert set(result["arrived"]) == {"patient", "walk_away", "stops", "help_now"}
    assert result["resets"].get("timeout", 0) >= 1 and result["resets"].get("stopped", 0) >= 1
    assert result["outcomes"].get("emergency", 0) >= result["arrived"]["help_now"]
    assert 0 < result["rss_start_mb"] and 0 < result["rss_end_mb"]
    assert "40 people in a row" in format_result(result)


def test_the_memory_trend_is_a_least_squares_slope():
    from bench.soak import _trend

    assert _trend([(50, 150.0), (100, 155.0), (150, 160.0)]) == 10.0  # 5 MB per 50 people
    # Readings that go up and down around a flat line give a flat trend, whatever the last one is.
    assert _trend([(50, 160.0), (100, 150.0), (150, 160.0), (200, 150.0), (250, 160.0)]) == 0.0
    assert _trend([(50, 160.0), (50, 161.0)]) is None  # too few people to tell


def test_the_command_prints_the_figures(tmp_path, capsys):
    out = tmp_path / "soak.json"
    assert main(["--people", "12", "--json", str(out)]) in (0, 1)
    printed = capsys.readouterr().out
    assert "| people served | 12 of 12 | all |" in printed and out.exists()
    assert "MB per 100 people" in printed


def test_a_person_the_idle_kiosk_does_not_hear_says_it_again_then_gives_up():
    from bench.soak import WAKE_TRIES, Crowd

    crowd = Crowd(people=2, seed=3)
    first = crowd.line()
    assert first in ("start", "hello", "I need help now")
    # No event came back: the kiosk did not hear them. They say it again, then give up.
    repeats = [crowd.line() for _ in range(WAKE_TRIES - 1)]
    assert all(r in ("start", "hello", "I need help now") for r in repeats)
    crowd.line()  # the next person walks up
    assert crowd.unheard == 1 and sum(crowd.arrived.values()) == 2
    # Once the kiosk takes a person in, they answer its questions instead.
    crowd.on_event(Heard("wake", "start", None, None, None, wake=True))
    crowd.on_event(Record.from_event({"event": "ask", "t": 1.5, "question": "ces_screen",
                                      "findings": ["saddle_numbness"], "kind": "yes_no", "choices": [],
                                      "text": "Is your bottom numb?"}))
    assert crowd.line() not in ("start", "hello")
