"""New themes: ``printbrief theme new`` writes a theme folder that renders as it is.

A theme that extends another gets ``theme.json`` and one stylesheet of commented starting
points (the parent's templates and CSS do the rest); a standalone theme also gets the bundled
``minimal`` theme's templates and stylesheet to edit.

>>> import tempfile, pathlib
>>> folder = new_theme("house", pathlib.Path(tempfile.mkdtemp()))
>>> sorted(p.name for p in folder.iterdir())
['house.css', 'theme.json']
"""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Iterable
from pathlib import Path

from .assets import asset_dir
from .errors import UsageError
from .themes import ISSUE_TEMPLATES, THEME_FILE, resolve_theme

NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")
"""A theme name: a folder name that is the same on every system and never a path."""
STANDALONE_BASE = "minimal"
"""The bundled theme whose templates and stylesheet a standalone theme starts from."""

STARTING_POINTS = """\
/* {name}: the {parent} theme's templates and CSS, with these rules on top.
   Uncomment and change what you need; `printbrief watch` shows each save within a second.
   Fonts: var(--pb-text) is the reading face, var(--pb-display) the headline and label face;
   both follow the article's language (Latin, Chinese, Japanese, Korean). */

/* Page: margins (the running head and page numbers sit in them) and paper.
@page {{ margin: 22mm 18mm 20mm; }}
*/

/* The masthead (publication) and the kicker (section) above the headline.
.masthead {{ color: #0b3d91; }}
.section {{ color: #0b3d91; letter-spacing: 0.08em; }}
*/

/* Headline: size steps down for long headlines (.headline-step-1 … -3).
.headline {{ font-weight: 800; color: #111; }}
*/

/* Standfirst, byline line, body text.
.standfirst {{ font-style: italic; }}
.byline-line {{ border-top: 0.5pt solid #999; }}
.body p {{ font-size: 10.5pt; line-height: 1.45; }}
*/

/* Pictures and captions.
figcaption {{ font-size: 7.5pt; color: #444; }}
*/
"""


def new_theme(
    name: str,
    folder: str | Path = ".",
    *,
    extends: str | None = "newsbrief",
    theme_paths: Iterable[str | Path] = (),
) -> Path:
    """Write theme ``name`` into ``folder``/``name`` and return its path; never overwrites.

    ``extends=None`` writes a standalone theme (templates included). Raises a
    :class:`~printbrief.errors.UsageError` for a bad name or an existing folder, and a
    :class:`~printbrief.errors.ThemeError` for an unknown parent.
    """
    if not NAME.fullmatch(name) or name.strip(".") != name:
        raise UsageError(f"theme name {name!r}: use letters, digits, '-', '_' and '.' only")
    if extends is not None:
        resolve_theme(extends, theme_paths)  # an unknown parent fails now, not at first render
    target = Path(folder) / name
    try:
        target.mkdir(parents=True)
    except FileExistsError:
        raise UsageError(f"{target} exists; refusing to overwrite it") from None
    except OSError as exc:
        raise UsageError(f"cannot create {target}: {exc.strerror or exc}") from None
    try:
        _write(target, name, extends)
    except BaseException:
        shutil.rmtree(target, ignore_errors=True)  # never a half-written theme
        raise
    return target


def _write(target: Path, name: str, extends: str | None) -> None:
    stylesheet = f"{name}.css"
    meta: dict[str, object] = {"description": f"The {name} theme."}
    if extends is not None:
        meta |= {"extends": extends, "stylesheets": [stylesheet]}
        css = STARTING_POINTS.format(name=name, parent=extends)
    else:
        base = asset_dir("styles") / STANDALONE_BASE
        for template in ("article.html.j2", *ISSUE_TEMPLATES, "issue.css"):
            shutil.copyfile(base / template, target / template)
        meta |= {"stylesheets": [stylesheet], "template": "article.html.j2"}
        css = (base / f"{STANDALONE_BASE}.css").read_text("utf-8")
        css = css.replace(f"/* {STANDALONE_BASE}:", f"/* {name} (from {STANDALONE_BASE}):", 1)
    (target / stylesheet).write_text(css, "utf-8")
    (target / THEME_FILE).write_text(json.dumps(meta, indent=2) + "\n", "utf-8")
