"""Vosk models: where they are looked for, how an English one is recognized, and the explicit download.

Whisper's models (found in the same models folder, fetched and verified by checksum) are in
voice/speech/whisper_models.py, what both downloads share in downloads.py; `describe_models`
(listening.py) lists every engine's.

Search order: `--model PATH`, then VOSK_MODEL_PATH, then the usual folders (each may hold a model
directly or model folders inside it): ~/.cache/vosk, ~/.local/share/vosk, /usr/share/vosk,
/usr/local/share/vosk and $XDG_DATA_HOME/voice-triage/models.

`download_model` runs only when someone runs `voice-triage models download`.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

from voice.errors import ModelError

from .downloads import data_dir, fetch, make_folder

MODEL_NAME = "vosk-model-small-en-us-0.15"
MODEL_URL = f"https://alphacephei.com/vosk/models/{MODEL_NAME}.zip"
MODEL_SHA256 = "30f26242c4eb449f948e42cb302dd7a686cb29a3423a8367f99ff41780942498"
"""SHA-256 of the published zip (41,205,931 bytes), as recorded by several independent projects."""
ENGLISH_WORDS = ("the", "yes", "hello", "seven", "because")
"""A model that knows all of these is taken as English."""
FIX = (f"run `voice-triage models download` (fetches {MODEL_NAME}, about 40 MB), or pass --model PATH, "
       "or set VOSK_MODEL_PATH to an unzipped English Vosk model; --engine pocketsphinx needs no model")


def search_dirs() -> list[Path]:
    """The folders searched for models, in order (after --model and VOSK_MODEL_PATH)."""
    home = Path.home()
    return [home / ".cache" / "vosk", home / ".local" / "share" / "vosk", Path("/usr/share/vosk"),
            Path("/usr/local/share/vosk"), data_dir()]


def is_model_dir(path: Path) -> bool:
    """A Vosk model folder has am/ (acoustic model) and conf/ inside."""
    return (path / "am").is_dir() and (path / "conf").is_dir()


def _vocabulary_words(path: Path) -> set[str] | None:
    for rel in ("graph/words.txt", "words.txt", "lang/words.txt"):
        f = path / rel
        if f.is_file():
            words = set()
            with open(f, encoding="utf-8", errors="replace") as fh:
                for line in fh:
                    parts = line.split()
                    if parts:
                        words.add(parts[0])
            return words
    return None


def is_english(path: Path) -> bool:
    """By the folder name (`vosk-model*-en-us-*`, `*-en-*`) or, failing that, by its word list."""
    name = path.name.lower()
    if "-en-" in name or name.endswith("-en") or "en-us" in name:
        return True
    words = _vocabulary_words(path)
    return words is not None and all(w in words for w in ENGLISH_WORDS)


@dataclass(frozen=True)
class Found:
    """One model folder found while searching."""

    path: Path
    english: bool
    source: str
    """`--model`, `VOSK_MODEL_PATH` or `search`."""


def _candidates(path: Path) -> list[Path]:
    if is_model_dir(path):
        return [path]
    if path.is_dir():
        try:
            return sorted(p for p in path.iterdir() if p.is_dir() and is_model_dir(p))
        except OSError:
            return []
    return []


def find_models(model: str | os.PathLike | None = None) -> tuple[list[Found], list[str]]:
    """Every model folder found, and every place searched (in order)."""
    searched: list[str] = []
    found: list[Found] = []
    places: list[tuple[Path, str]] = []
    if model:
        places.append((Path(model).expanduser(), "--model"))
    env = os.environ.get("VOSK_MODEL_PATH")
    if env and (not model or Path(env).expanduser() != Path(model).expanduser()):
        places.append((Path(env).expanduser(), "VOSK_MODEL_PATH"))
    places += [(p, "search") for p in search_dirs()]
    for place, source in places:
        searched.append(f"{place} ({source})" if source != "search" else str(place))
        for cand in _candidates(place):
            found.append(Found(cand, is_english(cand), source))
    return found, searched


def find_english_model(model: str | os.PathLike | None = None) -> Path | None:
    """The English model to use: an explicit --model (English or not) wins, else the first English one."""
    found, _ = find_models(model)
    for f in found:
        if f.source == "--model":
            return f.path
    for f in found:
        if f.english:
            return f.path
    return None


def require_english_model(model: str | os.PathLike | None = None) -> Path:
    """Like find_english_model, but raises ModelError naming every place searched and the fix."""
    if model and not is_model_dir(Path(model).expanduser()) and not _candidates(Path(model).expanduser()):
        raise ModelError("no Vosk model in this folder (it needs am/ and conf/ inside)", where=str(model),
                         fix=FIX)
    path = find_english_model(model)
    if path is None:
        _, searched = find_models(model)
        raise ModelError("no English Vosk model found; searched: " + ", ".join(searched), fix=FIX)
    return path


def download_model(dir: Path | None = None, url: str = MODEL_URL, sha256: str | None = MODEL_SHA256,
                   name: str = MODEL_NAME, progress=None, timeout: float = 60.0) -> Path:
    """Download and unpack the English Vosk model into `dir` (default: the XDG data folder).

    Prints a progress bar on stderr, verifies the SHA-256, unpacks into a temporary folder beside
    the target and renames it into place, so a half-done download never looks like a model.
    Returns the model folder. Raises ModelError with a fix on any failure.
    """
    stream = progress if progress is not None else sys.stderr
    target_dir = Path(dir).expanduser() if dir else data_dir()
    target = target_dir / name
    if is_model_dir(target):
        stream.write(f"already there: {target}\n")
        return target
    make_folder(target_dir)
    stream.write(f"downloading {url}\n")
    work = Path(tempfile.mkdtemp(prefix=".download-", dir=target_dir))
    try:
        archive = work / "model.zip"
        fetch(url, archive, sha256, stream, timeout)
        unpacked = work / "unpacked"
        try:
            with zipfile.ZipFile(archive) as zf:
                bad = zf.testzip()
                if bad is not None:
                    raise zipfile.BadZipFile(f"corrupt member {bad}")
                for member in zf.namelist():
                    dest = (unpacked / member).resolve()
                    if not str(dest).startswith(str(unpacked.resolve())):
                        raise zipfile.BadZipFile(f"unsafe path {member}")
                zf.extractall(unpacked)
        except zipfile.BadZipFile as err:
            raise ModelError(f"the downloaded file is not a usable zip: {err}", where=url,
                             fix="try again") from None
        inner = unpacked / name
        if not is_model_dir(inner):
            options = [p for p in unpacked.iterdir() if p.is_dir() and is_model_dir(p)]
            if is_model_dir(unpacked):
                inner = unpacked
            elif len(options) == 1:
                inner = options[0]
            else:
                raise ModelError("the zip holds no Vosk model folder (am/ and conf/)", where=url,
                                 fix="download it by hand and pass --model PATH")
        os.replace(inner, target)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    stream.write(f"model ready: {target}\n")
    return target
