"""Where the bundled assets (``styles/``, ``fonts/``) live: inside the wheel, or in a checkout."""

from __future__ import annotations

from functools import cache
from importlib import resources
from pathlib import Path


@cache
def asset_dir(name: str) -> Path:
    """The folder of a bundled asset tree: ``asset_dir("fonts")``.

    The wheel ships ``styles/`` and ``fonts/`` inside the package; an editable install of a
    checkout finds them at the repository root, two levels above this file's folder.
    """
    packaged = Path(str(resources.files("printbrief"))) / name
    if packaged.is_dir():
        return packaged
    checkout = Path(__file__).resolve().parents[2] / name
    if checkout.is_dir():
        return checkout
    raise FileNotFoundError(f"printbrief's {name}/ folder is missing from the installation")
