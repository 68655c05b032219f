"""``printbrief check``: validate articles and their glyph coverage, or preflight finished PDFs."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from ..errors import PrintbriefError
from ..variants import VARIANTS
from .main import cli
from .options import BUNDLED_ONLY, INPUT_FORMAT


@cli.command()
@click.argument("inputs", nargs=-1, required=True)
@click.option("--json", "as_json", is_flag=True, help="One JSON report on stdout.")
@click.option("--strict", is_flag=True, help="Uncovered characters make the check fail.")
@click.option("--pdf", "as_pdf", is_flag=True, help="Preflight finished PDFs instead of articles.")
@click.option("--bleed", help="With --pdf: the bleed the PDFs must have, e.g. 3mm.")
@click.option(
    "--variant",
    type=click.Choice(list(VARIANTS), case_sensitive=False),
    help="With --pdf: the standard the PDFs must meet, whether or not they claim it.",
)
@click.option(
    "--min-dpi",
    type=float,
    default=150,
    show_default=True,
    help="With --pdf: lowest image resolution.",
)
@BUNDLED_ONLY
@INPUT_FORMAT
def check(
    inputs: tuple[str, ...], as_json: bool, strict: bool, as_pdf: bool, bleed: str | None,
    variant: str | None, min_dpi: float, bundled_fonts_only: bool, input_format: str | None,
) -> None:  # fmt: skip
    """Validate INPUT articles and report characters no font covers (or preflight PDFs)."""
    if as_pdf:
        _preflight(inputs, as_json=as_json, bleed=bleed, min_dpi=min_dpi, variant=variant)
        return
    from ..batch.plan import expand_inputs
    from ..capture import warnings_logged
    from ..coverage import check_article
    from ..load import load

    reports, failed = [], False
    for name in expand_inputs(inputs):
        report: dict[str, Any] = {"input": name, "valid": True, "errors": [], "missing": []}
        try:
            with warnings_logged() as report["warnings"]:  # a feed's unmapped fields
                article = load(name, format=input_format and input_format.lower())
            missing = check_article(article, system=not bundled_fonts_only)
            report["missing"] = [
                {"codepoint": m.codepoint, "char": m.char, "where": m.where, "lang": m.lang}
                for m in missing
            ]
        except PrintbriefError as exc:
            report["valid"] = False
            problems = getattr(exc, "problems", ())
            report["errors"] = [{"field": p.field, "message": p.message} for p in problems] or [
                {"field": "", "message": exc.message}
            ]
            if omitted := getattr(exc, "omitted", 0):
                report["omitted"] = omitted
        failed |= not report["valid"] or (strict and bool(report["missing"]))
        reports.append(report)
        if not as_json:
            _echo_check(report)
    if as_json:
        click.echo(json.dumps(reports, indent=2, ensure_ascii=False))
    if failed:
        sys.exit(1)


def _preflight(
    inputs: tuple[str, ...],
    *,
    as_json: bool,
    bleed: str | None,
    min_dpi: float,
    variant: str | None,
) -> None:
    from ..load import read_bytes
    from ..paper import bleed_mm as to_mm
    from ..pdf.preflight import preflight

    bleed_mm = to_mm(bleed) if bleed else None
    reports, failed = [], False
    for name in inputs:
        try:
            findings = [
                f.as_dict()
                for f in preflight(
                    read_bytes(Path(name), max_bytes=1 << 30, limit=""),
                    bleed_mm=bleed_mm,
                    min_dpi=min_dpi,
                    variant=variant,
                )
            ]
        except PrintbriefError as exc:
            findings = [{"check": "readable", "page": 0, "message": exc.message}]
        failed |= bool(findings)
        reports.append({"input": name, "findings": findings})
        if not as_json:
            for f in findings:
                click.echo(f"{name}: page {f['page']}: {f['check']}: {f['message']}")
            if not findings:
                click.echo(f"{name}: ok")
    if as_json:
        click.echo(json.dumps(reports, indent=2, ensure_ascii=False))
    if failed:
        sys.exit(1)


def _echo_check(report: dict[str, Any]) -> None:
    name = report["input"]
    if not report["valid"]:
        for error in report["errors"]:
            field = f"{error['field']}: " if error["field"] else ""
            click.echo(f"{name}: invalid: {field}{error['message']}")
        if omitted := report.get("omitted", 0):
            click.echo(f"{name}: invalid: and {omitted:,} more")
    for m in report["missing"]:
        click.echo(
            f"{name}: no font covers {m['codepoint']} {m['char']} in {m['where']} (lang {m['lang']})"
        )
    if report["valid"] and not report["missing"]:
        click.echo(f"{name}: ok")
