"""What every model download shares: the models folder, creating it, a progress bar, fetching a
file over HTTP with its SHA-256 checked, and hashing a file.

The downloads run only when someone runs `voice-triage models download` (Vosk: vosk_models.py;
Whisper: whisper_models.py); nothing else in the speech package touches the network.
"""

from __future__ import annotations

import hashlib
import os
import urllib.request
from pathlib import Path

from voice.errors import ModelError


def data_dir() -> Path:
    """$XDG_DATA_HOME/voice-triage/models (default ~/.local/share/voice-triage/models)."""
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "voice-triage" / "models"


def progress_bar(done: int, total: int | None, stream) -> None:
    """Write a download progress bar (or the MB so far, with no total) over the current line of `stream`."""
    if total:
        frac = min(1.0, done / total)
        bar = "#" * int(frac * 30)
        stream.write(f"\r  [{bar:<30}] {frac * 100:5.1f}%  {done / 1e6:6.1f} / {total / 1e6:.1f} MB")
    else:
        stream.write(f"\r  {done / 1e6:6.1f} MB")
    stream.flush()


def make_folder(target_dir: Path) -> None:
    """Create the folder a model is downloaded into; a clear error when it cannot be."""
    try:
        target_dir.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise ModelError(f"cannot create the folder: {err.strerror or err}", where=str(target_dir),
                         fix="choose a writable folder with --dir") from None


def sha256_file(path: Path) -> str:
    """The SHA-256 of a file, read a megabyte at a time."""
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def fetch(url: str, dest: Path, sha256: str | None, stream, timeout: float = 60.0) -> None:
    """Download `url` into the file `dest` with a progress bar on `stream`; ModelError with a fix when
    the download fails, stops short, or its SHA-256 is not `sha256`."""
    digest = hashlib.sha256()
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response, open(dest, "wb") as out:
            total = response.headers.get("Content-Length")
            total = int(total) if total and total.isdigit() else None
            done = 0
            while True:
                chunk = response.read(1 << 16)
                if not chunk:
                    break
                out.write(chunk)
                digest.update(chunk)
                done += len(chunk)
                progress_bar(done, total, stream)
    except (OSError, ValueError) as err:
        reason = getattr(err, "reason", None) or err
        raise ModelError(f"download failed: {reason}", where=url,
                         fix="check the internet connection and try again, or download the zip "
                             "elsewhere, unzip it and pass --model PATH") from None
    stream.write("\n")
    if total is not None and done != total:
        raise ModelError(f"download incomplete: {done} of {total} bytes", where=url, fix="try again")
    if sha256 and digest.hexdigest() != sha256.lower():
        raise ModelError(f"checksum mismatch: got sha256 {digest.hexdigest()}, expected {sha256}",
                         where=url,
                         fix="try again; if it keeps failing the file on the server has changed, "
                             "download it by hand and pass --model PATH")
