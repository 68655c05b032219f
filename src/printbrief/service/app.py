"""The HTTP adapter (``printbrief serve``): parse a request, render through the pool, map errors.

Routes are listed in docs/service.md. Statuses come from the ``http_status`` attribute of
each :class:`~printbrief.errors.PrintbriefError` subclass, never from a table here.

>>> app = create_app(ServiceConfig())                   # doctest: +SKIP
>>> serve(ServiceConfig(), host="127.0.0.1", port=8000)  # doctest: +SKIP
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field, replace
from enum import Enum
from importlib import resources
from pathlib import Path
from typing import Annotated, Any

try:
    from fastapi import Depends, FastAPI, Request, Response
    from fastapi.concurrency import run_in_threadpool
    from fastapi.exceptions import RequestValidationError
    from fastapi.responses import HTMLResponse, JSONResponse, PlainTextResponse
    from starlette.exceptions import HTTPException
    from starlette.requests import ClientDisconnect
    from starlette.types import ASGIApp, Message, Receive, Scope, Send
except ImportError as exc:  # pragma: no cover - exercised by a test that hides FastAPI
    raise ImportError(
        "printbrief serve needs the optional 'server' extra: pip install 'printbrief[server]'"
    ) from exc

from ..errors import PrintbriefError, RequestTimeoutError, ThemeError, UsageError
from ..identity import article_key, fingerprint, text_key
from ..issue.load import load_issue
from ..limits import DEFAULT_LIMITS
from ..load import from_mapping
from ..options import RenderOptions
from ..paper import PAPER_SIZES
from ..themes import available_themes, search_path
from ..variants import VARIANTS
from ..version import __version__
from . import http as httputil
from .cache import ResultCache
from .metrics import Metrics
from .pool import PoolConfig, WorkerPool
from .schema import openapi
from .server import ServerConfig, run
from .tasks import RenderArticle, RenderIssue

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ServiceConfig:
    """Everything ``printbrief serve`` can be told; the defaults are safe on one machine."""

    pool: PoolConfig = field(default_factory=PoolConfig)
    options: RenderOptions = field(default_factory=RenderOptions)
    """What every request starts from: theme folders, fonts, allowed hosts, limits. A request
    sets theme (by name), paper, variant, bleed, marks, strict, lossless_images and
    input_format (a JSON format: ninjs, wordpress, jsonld, json) on top."""
    max_body_bytes: int = DEFAULT_LIMITS.max_input_bytes
    body_timeout: float = 30.0
    """Seconds a client may take to send the request body; past that it is answered 408."""
    cache_bytes: int = 64 << 20
    cache_dir: Path | None = None


@dataclass
class _State:
    """What the routes share: configuration, pool, cache, metrics and the theme registry."""

    config: ServiceConfig
    pool: WorkerPool
    cache: ResultCache
    metrics: Metrics
    themes: dict[str, str]
    rendering: dict[str, asyncio.Task[bytes]] = field(default_factory=dict)
    """Renders under way by cache key, so a double click waits for the first render."""
    shared: int = 0


def create_app(config: ServiceConfig | None = None) -> FastAPI:
    """The ASGI application; workers start with its lifespan and stop with it."""
    config = config or ServiceConfig()
    metrics = Metrics()
    state = _State(
        config=config,
        pool=WorkerPool(
            replace(config.pool, warm=config.options), on_render=metrics.observe_render
        ),
        cache=ResultCache(config.cache_bytes, config.cache_dir),
        metrics=metrics,
        themes=available_themes(search_path(config.options.theme_paths)),
    )

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await run_in_threadpool(state.pool.start)
        try:
            yield
        finally:
            await run_in_threadpool(state.pool.close)

    app = FastAPI(title="printbrief", version=__version__, lifespan=lifespan)
    app.state.printbrief = state
    app.add_middleware(_CountStatus, metrics=state.metrics)
    _add_error_handlers(app)
    _add_routes(app, state)
    app.openapi = lambda: openapi(app, list(state.themes))  # type: ignore[method-assign]
    return app


def serve(
    config: ServiceConfig,
    *,
    host: str = "127.0.0.1",
    port: int = 8000,
    server: ServerConfig | None = None,
) -> None:
    """Run the service until SIGINT or SIGTERM (binds to loopback unless told).

    ``server`` sets the connection timeouts and limits (:class:`ServerConfig`).
    """
    run(create_app(config), server or ServerConfig(), host=host, port=port)


Variant = Enum("Variant", {name: name for name in VARIANTS}, type=str)  # type: ignore[misc]
"""The PDF variants a request may ask for, from the one registry."""


# ------------------------------------------------------------------------------- routes

_PROBLEM: dict[str, Any] = {"content": {httputil.PROBLEM_JSON: {}}}
_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {"content": {"application/pdf": {}}, "description": "The PDF"},
    304: {"description": "Not modified: the If-None-Match tag is current"},
    **{status: _PROBLEM for status in (400, 413, 415, 422, 503, 504)},
}


def _body(model: str) -> dict[str, Any]:
    schema = {"$ref": f"#/components/schemas/{model}"}
    return {"requestBody": {"required": True, "content": {"application/json": {"schema": schema}}}}


def _options(
    request: Request,
    theme: str = "newsbrief",
    paper: str = "A4",
    variant: Variant | None = None,
    bleed: str | None = None,
    marks: str | None = None,
    strict: bool = False,
    lossless_images: bool = False,
    input_format: str | None = None,
) -> RenderOptions:
    """Render options from the query string, on top of the server's own (one validation)."""
    state: _State = request.app.state.printbrief
    # Names only: a theme given as a folder path would let a request read server files.
    if theme not in state.themes:
        known = ", ".join(state.themes)
        raise ThemeError(f"theme: unknown theme {theme!r} (available: {known})")
    chosen = RenderOptions.of(
        state.config.options, theme=theme, paper=paper, variant=variant and variant.value, bleed=bleed,
        marks=marks, strict=strict, lossless_images=lossless_images, input_format=input_format,
    )  # fmt: skip
    return chosen.check()


Options = Annotated[RenderOptions, Depends(_options)]


def _add_routes(app: FastAPI, state: _State) -> None:
    @app.post(
        "/v1/render", openapi_extra=_body("Article"), responses=_RESPONSES, response_class=Response
    )
    async def render_article(request: Request, chosen: Options) -> Response:
        """Render one article (printbrief fields, JSON-LD, ninjs or a WordPress post) to PDF."""
        data = await _read_json(request, state)
        article = from_mapping(data, name=None, format=chosen.input_format)
        key = await run_in_threadpool(lambda: article_key(fingerprint(chosen), article))
        task = RenderArticle(article.canonical_json(), chosen)
        return await _pdf(request, state, key, task, article.id or article.headline)

    @app.post(
        "/v1/issues", openapi_extra=_body("Issue"), responses=_RESPONSES, response_class=Response
    )
    async def render_issue(request: Request, chosen: Options) -> Response:
        """Compile an issue (inline articles) to one PDF: cover, contents, bookmarks, folios."""
        data = await _read_json(request, state)
        issue = await run_in_threadpool(
            lambda: load_issue(data, limits=chosen.limits, format=chosen.input_format)
        )
        parts = [json.dumps(data, sort_keys=True, ensure_ascii=False, default=str)]
        key = text_key("issue", fingerprint(chosen), *parts)
        task = RenderIssue(parts[0], chosen)
        return await _pdf(request, state, key, task, issue.title)

    @app.get("/v1/themes")
    async def themes() -> dict[str, Any]:
        """Themes and paper sizes this service accepts."""
        listed = [{"name": n, "description": d} for n, d in state.themes.items()]
        return {"themes": listed, "papers": list(PAPER_SIZES)}

    @app.get("/healthz", responses={503: {"description": "Fewer workers than configured"}})
    async def healthz() -> JSONResponse:
        """Health: ``ok`` with every worker running, else 503 ``degraded`` (some) or ``unhealthy``."""
        alive, wanted = state.pool.alive(), state.config.pool.workers
        status = "ok" if alive >= wanted else "degraded" if alive else "unhealthy"
        body = {"status": status, "version": __version__, "workers": alive, "configured": wanted}
        return JSONResponse(body, status_code=200 if status == "ok" else 503)

    @app.get("/metrics", response_class=PlainTextResponse)
    async def metrics() -> PlainTextResponse:
        """Prometheus text format."""
        return PlainTextResponse(_scrape(state), media_type="text/plain; version=0.0.4")

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    async def demo() -> HTMLResponse:
        """The demo page with a Print button."""
        page = resources.files("printbrief.service").joinpath("static/index.html")
        return HTMLResponse(page.read_text("utf-8"))


async def _read_json(request: Request, state: _State) -> Any:
    httputil.check_media_type(request.headers.get("content-type"))
    limit = state.config.max_body_bytes
    httputil.check_framing(request.headers)
    httputil.check_length(request.headers.get("content-length"), limit)
    try:
        async with asyncio.timeout(state.config.body_timeout):
            body = await httputil.read_limited(request.stream(), limit)
    except TimeoutError:
        raise RequestTimeoutError(
            f"the request body took longer than {state.config.body_timeout:g} s to arrive"
        ) from None
    except ClientDisconnect:  # an aborted upload: one line, not uvicorn's traceback
        log.info("%s %s: the client left before sending the whole body", request.method,
                 request.url.path)  # fmt: skip
        raise UsageError("the client closed the connection before sending the whole body") from None
    return await run_in_threadpool(httputil.parse_json, body)  # large JSON: off the event loop


async def _pdf(
    request: Request, state: _State, key: str, task: RenderArticle | RenderIssue, stem: str
) -> Response:
    # Same content, options and versions give the same bytes, so the key is a strong validator.
    etag = f'"{key[:40]}"'
    headers = httputil.pdf_headers(etag, httputil.slug(stem))
    wanted = request.headers.get("if-none-match")
    # "*" matches only a representation that exists (RFC 9110, 13.1.2): render it first, so
    # an article that cannot render is answered with its error, never 304.
    if wanted and wanted.strip() != "*" and httputil.etag_matches(wanted, etag):
        return Response(status_code=304, headers=dict(headers))
    pdf = state.cache.get(key) or await _render_once(state, key, task)
    if httputil.etag_matches(wanted, etag):
        return Response(status_code=304, headers=dict(headers))
    return Response(pdf, media_type="application/pdf", headers=dict(headers))


async def _render_once(state: _State, key: str, task: RenderArticle | RenderIssue) -> bytes:
    """Render and cache; identical requests arriving meanwhile share the one render."""
    running = state.rendering.get(key)
    if running is not None:
        state.shared += 1
    else:
        running = asyncio.create_task(_render_and_cache(state, key, task))
        state.rendering[key] = running
        running.add_done_callback(lambda done: _forget(state, key, done))
    # Shielded: a client that hangs up must not cancel a render others are waiting for.
    return await asyncio.shield(running)


async def _render_and_cache(state: _State, key: str, task: RenderArticle | RenderIssue) -> bytes:
    pdf = await state.pool.render(task)
    await run_in_threadpool(state.cache.put, key, pdf)
    return pdf


def _forget(state: _State, key: str, task: asyncio.Task[bytes]) -> None:
    state.rendering.pop(key, None)
    if not task.cancelled():
        task.exception()  # retrieved here, so an error nobody awaited is not logged at exit


def _scrape(state: _State) -> str:
    restarts = {f"reason={r}": float(n) for r, n in state.pool.restarts.items()} or {"": 0.0}
    counters = {
        "printbrief_cache_hits_total": {"": float(state.cache.hits)},
        "printbrief_cache_misses_total": {"": float(state.cache.misses)},
        "printbrief_renders_shared_total": {"": float(state.shared)},
        "printbrief_worker_restarts_total": restarts,
    }
    gauges = {
        "printbrief_queue_depth": float(state.pool.queue_depth),
        "printbrief_workers_busy": float(state.pool.busy),
        "printbrief_cache_bytes": float(state.cache.size_bytes),
    }
    return state.metrics.exposition(gauges=gauges, counters=counters)


# ------------------------------------------------------------------------ errors, metrics


def _problem_response(status: int, body: dict[str, Any], headers: dict[str, str]) -> JSONResponse:
    return JSONResponse(body, status_code=status, headers=headers, media_type=httputil.PROBLEM_JSON)


def _add_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(PrintbriefError)
    async def printbrief_error(request: Request, exc: PrintbriefError) -> JSONResponse:
        return _problem_response(*httputil.problem_of(exc))

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException) -> JSONResponse:
        body = httputil.problem(exc.status_code, str(exc.detail))
        return _problem_response(exc.status_code, body, dict(exc.headers or {}))

    @app.exception_handler(RequestValidationError)
    async def bad_parameters(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [
            {"field": ".".join(map(str, e["loc"])), "message": e["msg"]} for e in exc.errors()
        ]
        return _problem_response(
            400, httputil.problem(400, "invalid parameters", errors=errors), {}
        )


class _CountStatus:
    """ASGI middleware counting responses by status (pure ASGI: no per-request task).

    It also answers an unhandled exception: Starlette's ``ServerErrorMiddleware`` sits outside
    every user middleware, so its plain-text 500 would be neither counted nor problem+json.
    The exception is raised again afterwards, for the server to log with its traceback. A
    request still running when SIGTERM's graceful-shutdown time runs out is answered 503.
    """

    def __init__(self, app: ASGIApp, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def counting_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                self.metrics.observe_request(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, counting_send)
        except asyncio.CancelledError:  # the server's graceful-shutdown timeout ran out
            if started:
                raise
            log.info("%s %s: stopped by the server's shutdown", scope["method"], scope["path"])
            body = httputil.problem(503, "the render service is shutting down; retry soon")
            await _problem_response(503, body, {"Retry-After": "1"})(scope, receive, counting_send)
        except Exception:
            if not started:
                body = httputil.problem(500, "internal error; the server log has the details")
                await _problem_response(500, body, {})(scope, receive, counting_send)
            raise
