"""The benchmark's markdown: tables of every measurement and the settings they were taken with
(settings.py)."""

from __future__ import annotations

from typing import Any

from .settings import settings_lines
from .spoken_numbers import spoken_numbers_tables

TARGETS = {"latency_median_ms": 600, "startup_s": 2.0, "rss_mb": 200, "rss_mb_whisper": 350}
"""Targets of the brief (with PocketSphinx): median reply latency, start-up, peak memory."""


def _v(value: Any, suffix: str = "", digits: int = 1) -> str:
    if value is None:
        return "n/a"
    if isinstance(value, float):
        return f"{value:.{digits}f}{suffix}"
    return f"{value}{suffix}"


def _met(ok: bool | None) -> str:
    return "n/a" if ok is None else ("yes" if ok else "**NO**")


def understanding_tables(results: dict[str, Any]) -> list[str]:
    """Accuracy per engine and noise level (ours, naive, ratio), then the kinds of errors."""
    out: list[str] = []
    runs = results.get("understanding") or {}
    if not runs:
        return ["(answer understanding not measured)", ""]
    levels = next(iter(runs.values()))["levels"]
    out.append("### Answers understood (% correct), clean and in babble")
    out.append("")
    out.append("| engine | path | items | " + " | ".join(levels) + " |")
    out.append("|---|---|---:|" + "---:|" * len(levels))
    paths: list[str] = []
    for label, run in runs.items():
        n = run["corpus"]
        out.append(
            f"| {label} | grammar + endpointing (ours) | {n} | "
            + " | ".join(_v(run["ours"][lv]["accuracy"], "%") for lv in levels)
            + " |"
        )
        out.append(
            f"| {label} | open vocabulary + keywords (naive peer) | {n} | "
            + " | ".join(_v(run["naive"][lv]["accuracy"], "%") for lv in levels)
            + " |"
        )
        for key, what in (
            ("fresh_listener", "ours, fresh listener for each answer (diagnostic)"),
            ("first_answer", "ours, first answer of a session: new listener and recognizer"),
        ):
            if run.get(key):
                cells = " | ".join(_v(run[key][lv]["accuracy"], "%") for lv in levels)
                out.append(f"| {label} | {what} | {n} | {cells} |")
        ratios = []
        model = run.get("model") or "built in"
        paths.append(f"- {label}: {run.get('path', '?')}; {run['engine']}, model {model}")
        for lv in levels:
            a, b = run["ours"][lv]["accuracy"], run["naive"][lv]["accuracy"]
            ratios.append("n/a" if a is None or not b else f"{a / b:.2f}x")
        out.append(f"| {label} | ratio ours / naive | | " + " | ".join(ratios) + " |")
    out.append("")
    out.append("Answer path measured (ours):")
    out += paths
    out.append(
        "- ours: one listener per noise level, kept from answer to answer as in a session in one room "
        "(its noise floor carries over from turn to turn; noise suppression is off by default); the "
        "diagnostic row gives every answer to a new listener, whose endpointer has heard nothing before "
        "(a recognizer of its own is kept from answer to answer); the first-answer row gives every "
        "answer to a new listener and a new recognizer, as the first answer of a session is heard "
        "(the cauda equina screen)"
    )
    out.append(
        "- naive peer: a second recognizer of the same engine and settings without a grammar "
        "(open vocabulary) on the same audio, the answer cut out with an oracle endpoint, then keyword "
        "spotting (bench/naive.py)"
    )
    out.append("")
    out.append("### Errors: wrong answers, rejections (no match: asked again) and yes/no confusions")
    out.append("")
    out.append("| engine | path | level | correct | wrong | rejected | yes<->no | red-flag yes heard as no |")
    out.append("|---|---|---|---:|---:|---:|---:|---:|")
    for label, run in runs.items():
        for path, key in (("ours", "ours"), ("naive", "naive")):
            for lv in levels:
                s = run[key][lv]
                rf = (
                    f"{s['red_flag_yes_as_no']}/{s['red_flag_yes']} ({_v(s['red_flag_yes_as_no_rate'], '%')})"
                    if s["red_flag_yes"]
                    else "n/a"
                )
                out.append(
                    f"| {label} | {path} | {lv} | {s['correct']} | {s['wrong']} | {s['rejected']} "
                    f"| {s['yes_no_confusions']} | {rf} |"
                )
    out.append("")
    by_cat = [(label, run) for label, run in runs.items() if run.get("by_category")]
    if by_cat:
        out.append("### Ours, % correct by kind of answer")
        out.append("")
        out.append("| engine | kind | items | " + " | ".join(levels) + " |")
        out.append("|---|---|---:|" + "---:|" * len(levels))
        for label, run in by_cat:
            for cat, per in run["by_category"].items():
                out.append(
                    f"| {label} | {cat} | {per[levels[0]]['n']} | "
                    + " | ".join(_v(per[lv]["accuracy"], "%") for lv in levels)
                    + " |"
                )
        out.append("")
    timing = [(label, run["decode_ms"]) for label, run in runs.items() if run.get("decode_ms")]
    if timing:
        out.append("### Decoding time per answer (ms, every level; fast scripted audio, workers in parallel)")
        out.append("")
        out.append("| engine | what | median | p90 |")
        out.append("|---|---|---:|---:|")
        names = (
            ("ours_after_endpoint", "ours: recognizer after the endpoint"),
            ("ours_listen", "ours: whole listen (endpointing + recognition, audio read at full speed)"),
            ("naive", "naive peer: open-vocabulary decoding of the answer"),
        )
        for label, t in timing:
            for key, what in names:
                if key in t:
                    out.append(f"| {label} | {what} | {_v(t[key]['median'])} | {_v(t[key]['p90'])} |")
        out.append("")
    return out


def latency_tables(results: dict[str, Any]) -> list[str]:
    """Reply latency, TTS time, start-up and memory, each against its target."""
    out: list[str] = []
    for key in ("latency", "latency_whisper"):
        lat = results.get(key)
        if not lat:
            continue
        ok = None if lat.get("median") is None else lat["median"] <= TARGETS["latency_median_ms"]
        out.append(f"### Reply latency: real-time spoken sessions through the CLI ({lat.get('engine')})")
        out.append("")
        out.append("| measure | median | p90 | n | target | met |")
        out.append("|---|---:|---:|---:|---:|:---:|")
        out.append(
            f"| end of speech to first reply sample (heard.latency_ms) | {_v(lat.get('median'), ' ms', 0)} "
            f"| {_v(lat.get('p90'), ' ms', 0)} | {len(lat.get('latency_ms') or [])} "
            f"| <= {TARGETS['latency_median_ms']} ms | {_met(ok)} |"
        )
        tts = results.get("tts") or {}
        if tts:
            out.append(
                f"| text-to-speech render of a prompt, uncached (time to first audio) "
                f"| {_v(tts.get('first_median_ms'), ' ms', 0)} | {_v(tts.get('first_p90_ms'), ' ms', 0)} "
                f"| {tts.get('prompts')} | | |"
            )
            out.append(
                f"| text-to-speech, cached prompt | {_v(tts.get('cached_median_ms'), ' ms', 2)} | | "
                f"{tts.get('prompts')} | | |"
            )
        for label, run in (results.get("understanding") or {}).items():
            dec = (run.get("decode_ms") or {}).get("ours_after_endpoint_clean")
            if dec and dec.get("n"):
                out.append(
                    f"| decoding after the endpoint, {label}, clean answers (from the understanding run) "
                    f"| {_v(dec.get('median'), ' ms', 0)} | {_v(dec.get('p90'), ' ms', 0)} "
                    f"| {dec.get('n')} | | |"
                )
        if lat.get("peak_rss_mb"):
            out.append(
                f"| peak resident memory of the assistant in these sessions (VmHWM) "
                f"| {lat['peak_rss_mb']} MB | | | | |"
            )
        out.append(
            f"| sessions / answers spoken / sessions completed "
            f"| {lat.get('sessions')} / {lat.get('turns')} / {lat.get('completed')} | | | | |"
        )
        out.append("")
        problems = {s["error"].split(" | ")[-1] for s in lat.get("per_session", []) if s.get("error")}
        for err in sorted(problems)[:3]:
            out.append(f"- session problem: {err}")
        out.append("")
    start = results.get("startup") or {}
    if start:
        out.append("### Start-up to the first spoken word, and peak memory (median of runs)")
        out.append("")
        out.append(
            "| engine | runs | first `say` event | first WAV written | peak RSS (VmHWM) | targets | met |"
        )
        out.append("|---|---:|---:|---:|---:|---|:---:|")
        for label, s in start.items():
            if label.startswith("Whisper"):
                ok = (
                    None
                    if s.get("first_wav_median_s") is None
                    else (
                        s["first_wav_median_s"] <= TARGETS["startup_s"]
                        and (s.get("rss_median_mb") or 1e9) <= TARGETS["rss_mb_whisper"]
                    )
                )
                target = f"<= {TARGETS['startup_s']:g} s, <= {TARGETS['rss_mb_whisper']} MB"
            elif label.startswith("PocketSphinx"):
                ok = (
                    None
                    if s.get("first_wav_median_s") is None
                    else (
                        s["first_wav_median_s"] <= TARGETS["startup_s"]
                        and (s.get("rss_median_mb") or 1e9) <= TARGETS["rss_mb"]
                    )
                )
                target = f"<= {TARGETS['startup_s']:g} s, <= {TARGETS['rss_mb']} MB"
            else:
                ok, target = None, ""
            out.append(
                f"| {label} | {s.get('runs')} | {_v(s.get('first_say_median_s'), ' s', 2)} "
                f"| {_v(s.get('first_wav_median_s'), ' s', 2)} | {_v(s.get('rss_median_mb'), ' MB', 0)} "
                f"| {target} | {_met(ok)} |"
            )
        out.append("")
        for label, s in start.items():
            for err in sorted(set(s.get("errors") or []))[:2]:
                out.append(f"- {label}: not measured: {err.split(' | ')[-1]}")
        out.append("")
    return out


def real_voice_tables(results: dict[str, Any]) -> list[str]:
    """Recorded human digits as pain scores (bench.real_voices)."""
    r = results.get("real_voices")
    if not r:
        return []
    out = [
        f"### Real voices: {r['clips']} recorded digits ({len(r['speakers'])} speakers, {r['rate_hz']} Hz) "
        f"said as the answer to `{r['question']}`",
        "",
        "| path | right | wrong (of them confident) | not understood | % right |",
        "|---|---:|---:|---:|---:|",
    ]
    paths = (("grammar + endpointing (ours)", "ours"), ("open vocabulary + keywords (naive peer)", "naive"))
    for label, key in paths:
        c = r[key]
        sure = c.get("wrong_confident")
        wrong = f"{c['wrong']}" + ("" if sure is None else f" ({sure})")
        out.append(f"| {label} | {c['correct']} | {wrong} | {c['rejected']} | {_v(c['accuracy'], '%')} |")
    out.append("")
    speakers = ", ".join(f"{s} {_v(c['accuracy'], '%')}" for s, c in r["by_speaker"].items())
    instead = ", ".join(f'"{t}" ({n})' for t, n in r["heard_instead"].items())
    out.append(f"Ours by speaker: {speakers}. Heard instead most often: {instead}.")
    out.append(f"Source: {r['source']}. Each clip has 0.5 s of quiet added before and after it and is "
               "resampled by the listener, as audio from an 8 kHz device would be.")
    out.append("")
    return out


def spoken_words_tables(results: dict[str, Any]) -> list[str]:
    """People saying yes, no and digits on their own microphones (bench.real_voices)."""
    runs = results.get("spoken_words")
    if not runs:
        return []
    first = next(iter(runs.values()))
    out = [
        f"### Real voices: {first['clips']} recordings of yes, no and digits ({first['speakers']} speakers)",
        "",
        "| engine | level | yes/no % right | wrong, confident | digits % right | wrong, confident "
        "| red-flag yes heard as no |",
        "|---|---|---:|---:|---:|---:|---:|",
    ]
    for label, r in runs.items():
        for level, c in r["levels"].items():
            yn, dg = c["yes_no"], c["digits"]
            out.append(f"| {label} | {level} | {_v(yn['accuracy'], '%')} ({yn['correct']}/{yn['n']}) | "
                       f"{yn['wrong_confident']} | {_v(dg['accuracy'], '%')} ({dg['correct']}/{dg['n']}) | "
                       f"{dg['wrong_confident']} | {c['yes_heard_as_no_confident']} |")
    out.append("")
    out.append(f"Source: {first['source']}. Yes and no answer the cauda equina screen (its yes guarded), "
               "digits the pain score; 0.5 s before and 0.8 s after each clip, babble through both.")
    out.append("")
    return out


def babble_session_tables(results: dict[str, Any]) -> list[str]:
    """Whole spoken sessions in babble by held-out voices (bench.babble_sessions)."""
    runs = results.get("babble_sessions")
    if not runs:
        return []
    first = next(iter(runs.values()))
    out = [
        f"### Whole spoken sessions in {first['snr_db']:g} dB babble, voices no test tunes on",
        "",
        "| engine | sessions | same level as typed | under-triaged (or no outcome) | emergencies reached |",
        "|---|---:|---:|---:|---:|",
    ]
    for label, r in runs.items():
        out.append(f"| {label} | {r['sessions']} | {r['same_level']} | {r['under_triage']} "
                   f"| {r['emergencies_reached']} of {r['emergencies']} |")
    out.append("")
    for label, r in runs.items():
        for row in r["rows"]:
            if not row["same"]:
                out.append(f"- {label}: {row['vignette']} ({row['voice']}): typed {row['typed']}, spoken "
                           f"{row['spoken']}" + (f" ({row['error']})" if row["error"] else ""))
    out.append("")
    return out


def babble_alone_tables(results: dict[str, Any]) -> list[str]:
    """Turns of babble with no answer in them (bench.babble_alone)."""
    runs = results.get("babble_alone")
    if not runs:
        return []
    first = next(iter(runs.values()))
    out = [
        f"### Babble alone: {first['seconds_each']:g} s segments with no answer in them",
        "",
        "Each segment is a turn on a red-flag yes/no question, the pain score, the age or the duration.",
        "",
        "| engine | segments | nothing taken (asked again) | a guess checked, first engine "
        "| a guess checked, second opinion | taken without a check |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for label, r in runs.items():
        c = r["counts"]
        out.append(f"| {label} | {r['segments']} | {c['nothing']} | {c['checked_first']} "
                   f"| {c['checked_second']} | {c['taken']} |")
    out.append("")
    return out


def triage_tables(results: dict[str, Any]) -> list[str]:
    """Triage accuracy on the test patients (bench.evaluation)."""
    t = results.get("triage")
    if not t:
        return []
    out = [f"### Triage accuracy: {t['count']} test patients through the real text session", ""]
    out.append("| expected level | patients | exact | safe | under-triage | over-triage | failed |")
    out.append("|---|---:|---:|---:|---:|---:|---:|")
    for row in t["rows"]:
        out.append(
            f"| {row['level']} | {row['count']} | {row['exact']} | {row['safe']} | {row['under']} "
            f"| {row['over']} | {row['error']} |"
        )
    o = t["overall"]
    out.append("")
    out.append("| measure | value |")
    out.append("|---|---:|")
    out.append(f"| exact level | {_v(o['exact_pct'], '%')} |")
    out.append(f"| safe (right level or more urgent) | {_v(o['safe_pct'], '%')} |")
    out.append(f"| under-triage | {_v(o['under_pct'], '%')} |")
    out.append(f"| over-triage | {_v(o['over_pct'], '%')} |")
    out.append(f"| emergencies sent to emergency | {t['emergencies']['sent']}/{t['emergencies']['total']} |")
    out.append(f"| expected cause in top 3 | {_v(t['causes']['top3_pct'], '%')} |")
    out.append(
        f"| expected cause found (top 3; listed for emergencies) | {_v(t['causes']['found_pct'], '%')} |"
    )
    out.append(
        f"| questions per session, median (max), non-emergency | {_v(t['questions']['median'])} "
        f"({_v(t['questions']['max'])}) |"
    )
    out.append("")
    return out


def markdown(results: dict[str, Any]) -> str:
    """The whole report."""
    out = ["# Measurements", ""]
    out += understanding_tables(results)
    out += real_voice_tables(results)
    out += spoken_words_tables(results)
    out += babble_session_tables(results)
    out += babble_alone_tables(results)
    out += spoken_numbers_tables(results)
    out += latency_tables(results)
    out += triage_tables(results)
    out += settings_lines(results)
    return "\n".join(out)
