"""The program as a packager ships it: a wheel built from the checkout, installed into a fresh venv.

The rest of the suite runs from the editable install inside the checkout, where the content and
grammar folders sit at the top of the tree. Here the wheel is built from a copy of the sources
(so no build/ folder lands in the checkout), installed with `--no-deps` into a new venv of its own
that sees the dependencies already installed for the tests (their site-packages folders, named in a
.pth file; .pth files inside those folders, such as the checkout's editable install, are not read
from there), and run from a folder outside the checkout with a clean environment, so nothing of the
checkout can be imported by mistake. That the dependencies install from PyPI is tools/setup.sh's job.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import threading
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SOURCES = ("pyproject.toml", "README.md", "voice", "content", "grammar", "bench")
MEASUREMENT = ("bench", "evaluation", "soak", "testaudio")
"""Names of the measurement code (bench/ of the checkout), which the wheel must not hold."""
DISPOSITIONS = {"emergency", "urgent", "soon", "gp", "self_care"}

# What a person types, by question; other yes-or-no questions get a plain "no".
TYPED = {
    "ces_screen": "no none of those",
    "leg_weakness": "nope",
    "age": "I'm 34",
    "pain_below_knee": "yes it does",
    "duration": "about three weeks",
    "pain_score": "around a six",
    "getting_worse": "no not really",
    "readback_confirm": "yes that's right",
}


def _run(args: list, **kwargs) -> subprocess.CompletedProcess:
    done = subprocess.run(args, capture_output=True, text=True, timeout=600, **kwargs)
    assert done.returncode == 0, \
        f"{args} failed ({done.returncode}):\n{done.stdout[-2000:]}\n{done.stderr[-4000:]}"
    return done


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """The wheel built from a copy of the sources (measurement code included, as in a checkout):
    (the wheel, the folder it was built in, a clean env)."""
    base = tmp_path_factory.mktemp("install")
    src = base / "src"
    src.mkdir()
    for name in SOURCES:
        path = ROOT / name
        if path.is_dir():
            shutil.copytree(path, src / name, ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
        else:
            shutil.copy2(path, src / name)
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME")}
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    dist = base / "dist"
    done = _run([sys.executable, "-m", "pip", "wheel", str(src), "--no-deps", "-w", str(dist)], env=env)
    assert "project.license" not in done.stderr, "setuptools warns about the licence field"
    return next(dist.glob("voice_triage-*.whl")), base, env


@pytest.fixture(scope="module")
def installed(built):
    """A fresh venv outside the checkout with the wheel installed: (its bin folder, a clean env, a cwd)."""
    wheel, base, env = built
    env = dict(env)
    venv = base / "venv"
    _run([sys.executable, "-m", "venv", "--without-pip", str(venv)], env=env)
    python = venv / "bin" / "python"
    site = _run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"], env=env)
    dependencies = [p for p in sys.path if Path(p).name == "site-packages" and Path(p).is_dir()]
    Path(site.stdout.strip(), "dependencies.pth").write_text("\n".join(dependencies) + "\n", encoding="utf-8")
    _run([sys.executable, "-m", "pip", "--python", str(python), "install", "-q", "--no-deps", str(wheel)],
         env=env)
    elsewhere = base / "elsewhere"
    elsewhere.mkdir()
    env["HOME"] = str(base / "home")  # no settings file or model of this machine's user
    env["XDG_CONFIG_HOME"] = str(base / "home" / ".config")
    return venv / "bin", env, elsewhere


@pytest.mark.slow
def test_the_wheel_holds_the_assistant_and_its_content_but_no_measurement_code(built):
    wheel, _, _ = built
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
    assert {name.split("/")[0] for name in names} == {"voice", wheel.name.split("-py")[0] + ".dist-info"}
    modules = [Path(name) for name in names if name.endswith(".py")]
    assert not [m for m in modules if set(m.with_suffix("").parts) & set(MEASUREMENT)], modules
    assert "voice/__main__.py" in names and "voice/speech/listening.py" in names
    for folder, source in (("voice/content", ROOT / "content"), ("voice/grammar", ROOT / "grammar")):
        shipped = {f"{folder}/{path.name}" for path in source.glob("*.yaml")}
        assert shipped and shipped <= set(names), sorted(shipped - set(names))


@pytest.mark.slow
def test_the_installed_command_finds_its_own_content_and_grammar(installed):
    bin_dir, env, cwd = installed
    done = _run([str(bin_dir / "voice-triage"), "check"], env=env, cwd=cwd)
    site = str(bin_dir.parent)
    lines = done.stdout.splitlines()
    assert lines[0].startswith("content OK: ") and lines[1].startswith("grammar OK: "), done.stdout
    assert all(site in line and str(ROOT) not in line for line in lines[:2]), done.stdout
    assert "Traceback" not in done.stderr

    version = _run([str(bin_dir / "voice-triage"), "--version"], env=env, cwd=cwd)
    from voice import __version__

    assert version.stdout.strip() == f"voice-triage {__version__}"


@pytest.mark.slow
def test_a_typed_session_with_the_installed_command_reaches_advice(installed):
    bin_dir, env, cwd = installed
    proc = subprocess.Popen([str(bin_dir / "voice-triage"), "--text", "--jsonl"], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=cwd)
    watchdog = threading.Timer(60, proc.kill)
    watchdog.start()
    events = []
    try:
        for line in proc.stdout:
            event = json.loads(line)
            events.append(event)
            if event["event"] in ("ask", "nomatch", "noinput"):
                # After a nomatch or noinput the same question is open again (docs/protocol.md).
                again = event["event"] != "ask"
                proc.stdin.write(("not sure" if again else TYPED.get(event["question"], "no")) + "\n")
                proc.stdin.flush()
            if event["event"] == "end":
                break
        proc.stdin.close()
        code = proc.wait(timeout=30)
    finally:
        watchdog.cancel()
        proc.kill()
    stderr = proc.stderr.read()
    assert code == 0, f"{stderr}\n{[(e['event'], e.get('question'), e.get('text')) for e in events][-8:]}"
    assert "Traceback" not in stderr
    outcome = [e for e in events if e["event"] == "outcome"]
    assert len(outcome) == 1, [e["event"] for e in events]
    assert outcome[0]["disposition"] in DISPOSITIONS
    assert outcome[0]["causes"], outcome[0]
    assert outcome[0]["questions"] >= 5
    heard = {e["question"]: e for e in events if e["event"] == "heard"}
    assert heard["age"]["answer"] == 34
    assert heard["pain_below_knee"]["answer"] == "yes"
    assert events[-1] == {**events[-1], "event": "end", "reason": "complete"}


def _documents() -> dict[str, str]:
    return {name: (ROOT / name).read_text(encoding="utf-8")
            for name in ("README.md", "docs/kiosk.md", "docs/protocol.md", "docs/architecture.md",
                         "docs/speech-measurements.md", "docs/measurements.md", "docs/testing.md",
                         "content/README.md", "grammar/README.md", "CHANGELOG.md")}


def test_every_python_module_command_in_the_docs_runs_as_written():
    """`python -m voice.x` or `bench.x` fails outside the venv: the docs spell the venv's interpreter out."""
    found = []
    for name, text in _documents().items():
        for interpreter, module in re.findall(r"(\S*python3?) -m ((?:voice|bench)\b[\w.]*)", text):
            assert interpreter.strip("`(") == ".venv/bin/python", f"{name}: {interpreter} -m {module}"
            found.append(module)
    assert {"bench.soak", "bench", "bench.evaluation"} <= set(found)
    python = ROOT / ".venv" / "bin" / "python"
    for module in sorted(set(found)):
        done = subprocess.run([str(python if python.exists() else sys.executable), "-m", module, "--help"],
                              cwd=ROOT, capture_output=True, text=True, timeout=120)
        assert done.returncode == 0 and "usage" in done.stdout, f"{module}: {done.stderr}"


def test_readme_gives_two_commands_and_the_quick_test_beside_the_full_one():
    section = _documents()["README.md"].split("## The two commands", 1)[1].split("\n## ", 1)[0]
    assert re.findall(r"```sh\n(.*?)\n```", section, re.S) == ["bash tools/run.sh", "bash tools/test.sh"]
    assert 'bash tools/test.sh -m "not slow and not speech and not audio"' in section


def test_readme_is_read_in_three_minutes():
    """At most 900 words (counted as `wc -w` does); the rest lives in docs/, grammar/README.md,
    results/README.md and CHANGELOG.md, which the README links to."""
    text = _documents()["README.md"]
    assert len(text.split()) <= 900, f"README.md has {len(text.split())} words"
    for linked in ("docs/measurements.md", "grammar/README.md", "results/README.md", "CHANGELOG.md",
                   "docs/architecture.md", "docs/testing.md"):
        assert f"]({linked})" in text and (ROOT / linked).is_file(), linked
