"""Where the shipped data folders (content, grammar) are, installed or in a source checkout."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from .errors import ContentError


def shipped_folder(name: str) -> Path:
    """The folder `name` shipped with the program, as a real path on disk.

    A wheel (pip, pipx) installs the data beside the code as voice/<name>; a source checkout (and its
    editable install) keeps it at the top of the checkout as <name>. The folders are plain data
    without `__init__.py`, so they are looked up from the `voice` package itself: `resources.files()`
    on a folder without `__init__.py` gives a MultiplexedPath, whose str() is not a path.
    """
    package = resources.files("voice")
    if not isinstance(package, Path):
        raise ContentError(
            f"the shipped {name} folder is inside an archive ({package}), not on disk",
            fix=f"install the program with pip or pipx, or pass --{name} with a folder")
    installed = package / name
    if installed.is_dir():
        return installed
    return package.parent / name
