"""The public API: exactly the intended names, each importable, the heavy ones loaded lazily."""

from __future__ import annotations

import subprocess
import sys

import printbrief

PUBLIC = {
    "Article", "CoverageError", "FieldProblem", "Image", "InputError", "ItemResult",
    "LimitError", "Limits", "OutputError", "PrintbriefError", "RenderError", "Renderer",
    "ThemeError", "UsageError", "__version__", "json_schema", "load", "render", "render_many",
}  # fmt: skip


def test_exported_names_are_exactly_the_public_api() -> None:
    assert set(printbrief.__all__) == PUBLIC
    assert all(getattr(printbrief, name) is not None for name in PUBLIC)


def test_importing_printbrief_and_render_many_does_not_load_weasyprint() -> None:
    code = "import sys, printbrief; printbrief.render_many; print('weasyprint' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"
