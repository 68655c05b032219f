"""The printbrief exception tree; adapters read exit codes and HTTP statuses from the classes.

```text
PrintbriefError                exit 1, HTTP 500
├── UsageError                 exit 2, HTTP 400  (bad option, unknown theme or paper)
│   ├── ThemeError             exit 2, HTTP 400
│   ├── MediaTypeError         exit 2, HTTP 415  (an HTTP request body that is not JSON)
│   └── RequestTimeoutError    exit 2, HTTP 408  (an HTTP request body that arrives too slowly)
├── InputError                 exit 1, HTTP 422  (a file or field of the article is wrong)
├── LimitError                 exit 1, HTTP 413  (input past a documented bound)
│   └── MemoryLimitError       exit 1, HTTP 413  (the render outgrew its process's memory)
├── CoverageError              exit 1, HTTP 422  (strict mode: characters no font covers)
├── RenderError                exit 1, HTTP 500  (WeasyPrint failed on valid input)
├── OutputError                exit 1, HTTP 500  (the PDF could not be written)
└── ServiceError               exit 1, HTTP 503  (printbrief serve cannot take the request now)
    ├── BusyError              exit 1, HTTP 503  (every worker busy and the queue full; Retry-After)
    ├── WorkerLostError        exit 1, HTTP 503  (the worker died mid-render; Retry-After)
    └── DeadlineError          exit 1, HTTP 504  (past its deadline; the worker was replaced)
```
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

MAX_LISTED = 20
"""Field problems one error lists; the rest are counted (``…; and 1,999,980 more``)."""
MAX_FIELD_CHARS = 200
"""Length of one field path or problem message as shown; longer ones are clipped."""
MAX_MESSAGE_CHARS = 4000
"""Length of any error message: a hostile input must not make its error grow with it."""


def clip(text: str, limit: int) -> str:
    """``text`` cut to about ``limit`` characters, saying how much was cut.

    >>> clip("x" * 50, 40)
    'xxxxxxxx… (42 more characters)'
    """
    if len(text) <= limit:
        return text
    cut = max(0, limit - 32)  # room for the note
    return text[:cut] + f"… ({len(text) - cut:,} more characters)"


@dataclass(frozen=True)
class FieldProblem:
    """One thing wrong with one field: `field` is a dotted path such as ``images.0.src``."""

    field: str
    message: str

    def __post_init__(self) -> None:
        object.__setattr__(self, "field", clip(self.field, MAX_FIELD_CHARS))
        object.__setattr__(self, "message", clip(self.message, MAX_FIELD_CHARS))

    def __str__(self) -> str:
        return f"{self.field}: {self.message}" if self.field else self.message


class PrintbriefError(Exception):
    """Root of every error printbrief raises on purpose."""

    exit_code = 1
    http_status = 500

    def __init__(self, message: str, *, source: str | None = None) -> None:
        message = clip(message, MAX_MESSAGE_CHARS)
        super().__init__(message)
        self.message = message
        self.source = source

    def __str__(self) -> str:
        return f"{self.source}: {self.message}" if self.source else self.message

    def __reduce__(self) -> tuple[Any, ...]:
        # Errors travel from worker processes as themselves, with source and field problems
        # (Exception's default pickling would call __init__ with the message alone).
        return (_rebuild, (type(self), self.message, dict(self.__dict__)))


def _rebuild(cls: type[PrintbriefError], message: str, state: dict[str, Any]) -> PrintbriefError:
    error = cls.__new__(cls)
    Exception.__init__(error, message)
    error.__dict__.update(state)
    return error


class UsageError(PrintbriefError):
    """An option or argument is wrong (unknown paper size, conflicting options)."""

    exit_code = 2
    http_status = 400


class ThemeError(UsageError):
    """A theme cannot be found, or its metadata, templates or CSS are broken."""


class MediaTypeError(UsageError):
    """An HTTP request body is not in a media type the service reads (it reads JSON)."""

    http_status = 415


class RequestTimeoutError(UsageError):
    """An HTTP request body did not arrive within the service's body timeout."""

    http_status = 408


class InputError(PrintbriefError):
    """An input cannot be read or does not describe a valid article."""

    http_status = 422

    def __init__(
        self,
        message: str,
        *,
        source: str | None = None,
        problems: tuple[FieldProblem, ...] = (),
        omitted: int = 0,
    ) -> None:
        super().__init__(message, source=source)
        self.problems = problems
        self.omitted = omitted  # problems found beyond those listed (at most MAX_LISTED)

    @classmethod
    def from_problems(
        cls, problems: list[FieldProblem], *, source: str | None, total: int | None = None
    ) -> InputError:
        """One error listing the first :data:`MAX_LISTED` problems, e.g. ``headline: required``.

        ``total`` is how many problems there are when ``problems`` holds only the first ones.
        """
        shown = tuple(problems[:MAX_LISTED])
        message = "; ".join(str(p) for p in shown)
        if (more := max(len(problems), total or 0) - len(shown)) > 0:
            message += f"; and {more:,} more"
        return cls(message, source=source, problems=shown, omitted=max(more, 0))


class LimitError(PrintbriefError):
    """An input exceeds a documented bound (size, nesting, images, pages, time).

    ``limit`` names the :class:`~printbrief.Limits` field that was passed, when one was: the
    message says so, and it is the name ``--limit NAME=VALUE`` takes.

    >>> str(LimitError("the article needs more than 200 pages", limit="max_pages"))
    'the article needs more than 200 pages (limit max_pages)'
    """

    http_status = 413

    def __init__(self, message: str, *, source: str | None = None, limit: str = "") -> None:
        super().__init__(f"{message} (limit {limit})" if limit else message, source=source)
        self.limit = limit


class MemoryLimitError(LimitError):
    """A render ran out of memory (a worker's ``Limits.max_worker_memory``); workers that hit
    it are replaced, as their heap may be left fragmented."""


class CoverageError(PrintbriefError):
    """Strict mode: some characters are covered by no font in the article's stack."""

    http_status = 422


class RenderError(PrintbriefError):
    """WeasyPrint failed on an input that passed validation."""


class OutputError(PrintbriefError):
    """The output file could not be written; any previous file is left untouched."""


class ServiceError(PrintbriefError):
    """The render service cannot take the request now; ``retry_after`` is in seconds, or None."""

    http_status = 503
    retry_after: int | None = 1


class BusyError(ServiceError):
    """Every worker is busy and the wait queue is full: back-pressure, not failure."""


class WorkerLostError(ServiceError):
    """The worker process died while rendering (killed, out of memory); it has been replaced."""


class DeadlineError(ServiceError):
    """A render ran past its deadline; its worker was killed and replaced."""

    http_status = 504
    retry_after = None
