"""``printbrief serve``: the print-button HTTP service (optional extra ``printbrief[server]``)."""

from __future__ import annotations

import click

from ..errors import UsageError
from .main import cli
from .options import (
    ALLOW_HOST,
    BUNDLED_ONLY,
    LIMIT,
    OUTPUT_CONDITION,
    OUTPUT_PROFILE,
    THEME_PATH,
    limits_from,
)  # fmt: skip


@cli.command()
@click.option(
    "--host", default="127.0.0.1", show_default=True, help="Address to bind (loopback by default)."
)
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535))
@click.option(
    "--workers",
    default=2,
    show_default=True,
    type=click.IntRange(1, 64),
    help="Render worker processes.",
)
@click.option(
    "--queue",
    default=8,
    show_default=True,
    type=click.IntRange(0, 1024),
    help="Requests that may wait for a worker.",
)
@click.option(
    "--deadline",
    default=20.0,
    show_default=True,
    type=click.FloatRange(0.1),
    help="Seconds per render before its worker is killed.",
)
@click.option(
    "--recycle-after",
    default=200,
    show_default=True,
    type=click.IntRange(1),
    help="Renders before a worker is replaced.",
)
@click.option(
    "--cache-mb",
    default=64,
    show_default=True,
    type=click.IntRange(0),
    help="In-memory result cache size.",
)
@click.option("--cache-dir", type=click.Path(file_okay=False), help="Shared on-disk result cache.")
@click.option("--header-timeout", default=10.0, show_default=True, type=click.FloatRange(0.5),
              help="Seconds a client may take to send its request headers.")  # fmt: skip
@click.option("--body-timeout", default=30.0, show_default=True, type=click.FloatRange(0.5),
              help="Seconds a client may take to send the request body (then 408).")  # fmt: skip
@click.option("--keep-alive", default=5.0, show_default=True, type=click.FloatRange(1),
              help="Seconds an idle keep-alive connection stays open.")  # fmt: skip
@click.option("--max-connections", default=200, show_default=True, type=click.IntRange(1),
              help="Connections served at once (then 503).")  # fmt: skip
@click.option("--shutdown-timeout", default=10.0, show_default=True, type=click.FloatRange(1),
              help="Seconds SIGTERM waits for requests in flight before stopping them.")  # fmt: skip
@THEME_PATH
@BUNDLED_ONLY
@ALLOW_HOST
@OUTPUT_PROFILE
@OUTPUT_CONDITION
@LIMIT
def serve(
    host: str, port: int, workers: int, queue: int, deadline: float, recycle_after: int,
    cache_mb: int, cache_dir: str | None, header_timeout: float, body_timeout: float,
    keep_alive: float, max_connections: int, shutdown_timeout: float,
    theme_paths: tuple[str, ...], bundled_fonts_only: bool, allow_hosts: tuple[str, ...],
    output_profile: str | None, output_condition: str | None, limits: tuple[str, ...],
) -> None:  # fmt: skip
    """Run the print-button HTTP service (needs printbrief[server]).

    Requests choose theme (by name), paper, variant, bleed, marks, strict and
    lossless_images; theme folders, fonts, the hosts pictures may come from and the
    pdf/x-4 output profile and the limits (--limit) are the server's, set here.
    """
    try:
        from ..service.app import ServiceConfig
        from ..service.app import serve as run_service
        from ..service.server import ServerConfig
    except ImportError as exc:
        raise UsageError(str(exc)) from None
    from pathlib import Path

    from ..options import RenderOptions
    from ..service.pool import PoolConfig

    pool = PoolConfig(workers=workers, queue=queue, deadline=deadline, recycle_after=recycle_after)
    options = RenderOptions(
        theme_paths=theme_paths, system_fonts=not bundled_fonts_only, allow_hosts=allow_hosts,
        output_profile=output_profile, output_condition=output_condition,
    ).check()  # fmt: skip
    options = RenderOptions.of(options, limits=limits_from(limits))
    config = ServiceConfig(
        pool=pool, options=options, cache_bytes=cache_mb << 20, body_timeout=body_timeout,
        max_body_bytes=options.limits.max_input_bytes,
        cache_dir=Path(cache_dir) if cache_dir else None,
    )  # fmt: skip
    server = ServerConfig(header_timeout, keep_alive, max_connections, shutdown_timeout)
    run_service(config, host=host, port=port, server=server)
