"""The public API is exactly what __all__ says, and the package imports without WeasyPrint."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import printbrief

EXPECTED = {
    "Article", "CoverageError", "FieldProblem", "Image", "InputError", "ItemResult",
    "LimitError", "Limits", "OutputError", "PrintbriefError", "RenderError", "RenderOptions",
    "Rendered", "Renderer",
    "ThemeError", "UsageError", "__version__", "json_schema", "load", "render", "render_many", "compile_issue",
}  # fmt: skip


def test_exported_names_are_exactly_the_intended_ones() -> None:
    assert set(printbrief.__all__) == EXPECTED
    for name in EXPECTED:
        assert getattr(printbrief, name) is not None


def test_render_is_the_function_not_a_module() -> None:
    import printbrief.renderer  # importing the module must not shadow the function

    assert callable(printbrief.render) and printbrief.render.__module__ == "printbrief.renderer"
    assert callable(printbrief.load) and printbrief.load.__module__ == "printbrief.load"


def test_errors_carry_exit_codes_and_statuses() -> None:
    assert (printbrief.UsageError.exit_code, printbrief.UsageError.http_status) == (2, 400)
    assert (printbrief.InputError.exit_code, printbrief.InputError.http_status) == (1, 422)
    assert (printbrief.LimitError.exit_code, printbrief.LimitError.http_status) == (1, 413)
    assert issubclass(printbrief.ThemeError, printbrief.UsageError)


def test_help_and_check_do_not_import_weasyprint() -> None:
    """`printbrief --help` and `printbrief check` start fast: WeasyPrint costs ~0.8 s to import."""
    sample = Path(__file__).parents[1] / "samples" / "zh-hans.json"
    code = (
        "import sys; from printbrief.cli import main; "
        f"main(['--help']); main(['check', {str(sample)!r}]); "
        "print('weasyprint' in sys.modules, file=sys.stderr)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stderr.strip().splitlines()[-1] == "False"


def test_importing_printbrief_and_render_many_does_not_load_weasyprint() -> None:
    code = "import sys, printbrief; printbrief.render_many; print('weasyprint' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"
