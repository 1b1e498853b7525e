"""Settings resolution (voice/app/settings.py): a command-line option over the settings file over
the default, for the command and the kiosk alike."""

import pytest

from voice.app.cli import build_parser
from voice.app.config import Config
from voice.app.settings import (
    ADVICE_HOLD,
    ALERT_TIMEOUT,
    IDLE_INVITE_EVERY,
    KIOSK_WALKAWAY_AFTER,
    kiosk_session_settings,
    kiosk_settings,
    resolve,
)
from voice.dialog.session import SessionSettings
from voice.errors import ConfigError


def settings(argv, config=None, terminal=False):
    return resolve(build_parser().parse_args(argv), config or Config(), lambda: terminal)


def test_defaults_when_neither_the_command_line_nor_the_file_says():
    s = settings([])
    assert (s.content, s.grammar, s.region, s.engine, s.model) == (None, None, None, "auto", None)
    assert (s.rate, s.volume, s.voice, s.cues, s.noinput_timeout) == (None, None, None, None, None)
    assert not s.screen and not s.kiosk and s.wake_phrases == ()
    assert s.session == SessionSettings()
    assert not s.explicit_engine


def test_the_command_line_wins_over_the_file_and_the_file_over_the_default():
    config = Config(region="uk", engine="vosk", rate=150, volume=0.5, cues=True, voice="gmw/en-GB",
                    noinput_timeout=8.0, content="/c", wake_phrases=["begin"])
    from_file = settings([], config)
    assert (from_file.region, from_file.engine, from_file.rate, from_file.volume, from_file.cues) == \
        ("uk", "vosk", 150, 0.5, True)
    assert (from_file.voice, from_file.noinput_timeout, from_file.content) == ("gmw/en-GB", 8.0, "/c")
    assert from_file.wake_phrases == ("begin",) and from_file.explicit_engine
    given = settings(["--region", "us", "--engine", "auto", "--rate", "120", "--volume", "0", "--no-cues",
                      "--voice", "gmw/en-US", "--noinput-timeout", "5", "--content", "/d"], config)
    assert (given.region, given.engine, given.rate) == ("us", "auto", 120)
    assert (given.volume, given.cues) == (0.0, False)
    assert (given.voice, given.noinput_timeout, given.content) == ("gmw/en-US", 5.0, "/d")


def test_a_zero_or_empty_option_counts_as_not_given_except_switches_and_volume():
    config = Config(rate=150, noinput_timeout=8.0, volume=0.5)
    s = settings(["--rate", "0", "--noinput-timeout", "0", "--content", ""], config)
    assert (s.rate, s.noinput_timeout, s.content) == (150, 8.0, None)
    assert settings(["--volume", "0"], config).volume == 0.0


def test_the_screen_is_on_for_a_kiosk_on_a_terminal_unless_told_otherwise():
    assert settings(["--kiosk"], terminal=True).screen
    assert not settings(["--kiosk"], terminal=False).screen
    assert not settings([], terminal=True).screen
    assert not settings(["--kiosk"], Config(screen=False), terminal=True).screen
    assert settings(["--kiosk", "--screen"], Config(screen=False)).screen
    assert not settings(["--kiosk", "--no-screen"], Config(screen=True), terminal=True).screen


def test_session_settings_take_patience_from_the_file_and_barge_in_from_either():
    s = settings([], Config(max_tries=4, walkaway_after=3, barge_in=True))
    assert (s.session.max_tries, s.session.walkaway_after, s.session.barge_in) == (4, 3, True)
    assert not settings(["--no-barge-in"], Config(barge_in=True)).session.barge_in
    assert settings(["--barge-in"]).session.barge_in


def test_kiosk_settings_defaults_and_the_file():
    own = kiosk_settings(Config())
    defaults = (IDLE_INVITE_EVERY, ALERT_TIMEOUT, ADVICE_HOLD)
    assert (own.invite_every, own.alert_timeout, own.advice_hold) == defaults
    assert own.alert_argv is None and own.summary_mode == "screen"
    own = kiosk_settings(Config(idle_invite_every=30, alert_timeout=2, advice_hold=0,
                                alert_command="notify-send 'Kiosk needs staff'", clinician_summary="print"))
    assert (own.invite_every, own.alert_timeout, own.advice_hold) == (30, 2, 0)
    assert own.alert_argv == ["notify-send", "Kiosk needs staff"] and own.summary_mode == "print"


def test_kiosk_patience_is_shorter_unless_the_file_sets_it():
    assert kiosk_session_settings(None, Config()).walkaway_after == KIOSK_WALKAWAY_AFTER
    given = settings([], Config(walkaway_after=4)).session
    assert kiosk_session_settings(given, Config(walkaway_after=4)).walkaway_after == 4
    assert given.walkaway_after == 4  # the given settings are copied, not changed
    welcome_off = SessionSettings(welcome=False)
    assert kiosk_session_settings(welcome_off, Config()).welcome


def test_an_unknown_region_names_the_known_ones(mini):
    assert settings([]).region_of(mini).id == mini.default_region
    with pytest.raises(ConfigError, match=r"unknown region 'atlantis'\n  fix: use one of: "):
        settings(["--region", "atlantis"]).region_of(mini)
