"""The public API is exactly what __all__ says, and the package imports without WeasyPrint."""

from __future__ import annotations

import subprocess
import sys

import printbrief

EXPECTED = {
    "Article", "CoverageError", "FieldProblem", "Image", "InputError", "LimitError", "Limits",
    "OutputError", "PrintbriefError", "RenderError", "Renderer", "ThemeError", "UsageError",
    "__version__", "compile_issue", "json_schema", "load", "render",
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


def test_cli_and_check_do_not_import_weasyprint() -> None:
    code = "import sys, printbrief.cli, printbrief.coverage; print('weasyprint' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
