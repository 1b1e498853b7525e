"""The report's settings lines: how the figures were taken (command, seed, corpus, machine, packages,
code, noise)."""

from __future__ import annotations

from typing import Any


def settings_lines(results: dict[str, Any]) -> list[str]:
    """How the figures were taken: command, seed, corpus, machine, package versions."""
    s = results["settings"]
    out = ["### Settings", ""]
    out.append(f"- command: `{s['command']}`")
    out.append(
        f"- seed {s['seed']}; {'quick' if s['quick'] else 'full'} run; {s.get('jobs')} workers; "
        f"took {results.get('run_seconds')} s"
    )
    stages = results.get("stage_seconds") or {}
    if stages:
        out.append("- time per part: " + ", ".join(f"{k} {v} s" for k, v in stages.items()))
    for label, c in s["corpus"].items():
        out.append(f"- corpus {label}: {c}")
    m = s["machine"]
    out.append(
        f"- machine: {m['cpus']} CPUs ({m['cpu_model']}), {m['memory_gb']} GB RAM, {m['platform']}, "
        f"Python {m['python']}"
    )
    out.append("- packages: " + ", ".join(f"{k} {v}" for k, v in s["packages"].items()))
    code = s.get("code")
    if code:
        changed = code.get("changed") or []
        out.append(
            f"- code: commit {code.get('commit')}"
            + (f", with uncommitted changes in {', '.join(changed)}" if changed else "")
        )
    out.append(
        "- noise: babble of 5 talkers from Debian pocketsphinx-testdata read speech, mixed at the "
        "SNR over the answer, also before (0.6 s) and after (0.8 s) it"
    )
    for note in s.get("notes", []):
        out.append(f"- {note}")
    out.append("")
    return out
