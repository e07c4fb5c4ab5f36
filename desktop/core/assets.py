"""Find the top-level ``resources/`` and ``plugins/`` folders at run time.

One helper for the three ways Hearth runs:

* a frozen bundle (PyInstaller): next to the executable's data, ``sys._MEIPASS``;
* an installed wheel: the build copies both folders into ``desktop/_bundled/``;
* a source checkout (also ``pip install -e``): the repository root above ``desktop/``.
"""

from __future__ import annotations

import sys
from functools import lru_cache
from pathlib import Path

ASSET_FOLDERS = ("resources", "plugins")
_PACKAGE_DIR = Path(__file__).resolve().parent.parent


def _candidate_roots() -> list[Path]:
    roots: list[Path] = []
    frozen_root = getattr(sys, "_MEIPASS", None)
    if frozen_root:
        roots.append(Path(frozen_root))
    roots.append(_PACKAGE_DIR / "_bundled")
    roots.append(_PACKAGE_DIR.parent)
    return roots


@lru_cache(maxsize=None)
def asset_dir(name: str) -> Path:
    """The directory for ``resources`` or ``plugins``; raises if none is found."""
    if name not in ASSET_FOLDERS:
        raise ValueError(f"unknown asset folder {name!r}; expected one of {ASSET_FOLDERS}")
    for root in _candidate_roots():
        candidate = root / name
        if candidate.is_dir():
            return candidate
    searched = ", ".join(str(root / name) for root in _candidate_roots())
    raise FileNotFoundError(f"Hearth's {name} folder is missing (looked in {searched})")


def resource_path(*parts: str) -> Path:
    """Path of a file below ``resources/``, e.g. ``resource_path("themes", "dark.qss")``."""
    return asset_dir("resources").joinpath(*parts)
