"""The package's layers as docs/architecture.md draws them: what each folder may import, and sizes.

Read from the source with `ast` (every import, also those inside functions), so a new import that
crosses a layer fails here rather than in a reviewer's head.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

VOICE = Path(__file__).resolve().parents[1] / "voice"

BASE = {"voice.errors", "voice.ports", "voice.yamlio", "voice.shipped", "voice.graph"}
ALLOWED: dict[str, set[str]] = {
    "voice.errors": set(),
    "voice.ports": set(),
    "voice.yamlio": {"voice.errors"},
    "voice.shipped": {"voice.errors"},
    "voice.graph": set(),
    "voice.speech": {"voice.errors", "voice.ports"},
    "voice.triage": BASE,
    "voice.understanding": BASE | {"voice.triage"},
    "voice.dialog": BASE | {"voice.triage", "voice.understanding"},
    "voice.app": BASE | {"voice.triage", "voice.understanding", "voice.dialog", "voice.speech", "voice"},
    "voice": {"voice.app"},
}
"""Each part (a folder of voice/, or a top-level module) and the parts it may import."""

AUDIO = {"sounddevice", "pyttsx3", "pocketsphinx", "vosk", "faster_whisper", "ctranslate2",
         "webrtc_noise_gain"}
"""Libraries that touch audio or speech models: only voice.speech imports them."""


def _module(path: Path) -> str:
    parts = path.relative_to(VOICE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _part(module: str) -> str:
    names = module.split(".")
    if len(names) >= 2 and (VOICE / names[1]).is_dir():
        return ".".join(names[:2])
    return module if module in ALLOWED else "voice"


def _imports(path: Path) -> set[str]:
    """Every module `path` imports, relative imports resolved."""
    package = _module(path) if path.name == "__init__.py" else _module(path).rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                name = ".".join(base + ([node.module] if node.module else []))
                found |= {name} if node.module else {f"{name}.{a.name}" for a in node.names}
            else:
                found.add(node.module or "")
    return found


SOURCES = sorted(VOICE.rglob("*.py"))


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(VOICE.parent)))
def test_each_module_imports_only_the_layers_below_it(path):
    part = _part(_module(path))
    allowed = ALLOWED[part]
    for name in sorted(_imports(path)):
        if name.split(".")[0] in AUDIO:
            assert part in ("voice.speech", "voice.app"), f"{part} imports the audio library {name}"
        if name == "voice" or name.startswith("voice."):
            target = _part(name)
            if target in (part, "voice"):
                continue  # its own part, or the package's `__version__`
            assert target in allowed, f"{_module(path)} imports {name}: {part} may import {sorted(allowed)}"


def test_no_module_is_over_400_lines_and_the_session_and_loader_stay_small():
    sizes = {p: len(p.read_text().splitlines()) for p in SOURCES}
    assert max(sizes.values()) <= 400, [str(p) for p, n in sizes.items() if n > 400]
    session = ast.parse((VOICE / "dialog" / "session.py").read_text())
    cls = next(n for n in session.body if isinstance(n, ast.ClassDef) and n.name == "Session")
    assert cls.end_lineno - cls.lineno + 1 < 250
    loader = ast.parse((VOICE / "triage" / "loader.py").read_text())
    load = next(n for n in loader.body if isinstance(n, ast.FunctionDef) and n.name == "load_content")
    assert load.end_lineno - load.lineno + 1 < 60
