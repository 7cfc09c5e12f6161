"""Structured logs: one JSON object a line (python-json-logger), each carrying the request id.

The request id lives in a context variable set by web.middleware.RequestIdMiddleware, so a line
logged anywhere during a request (or while its response streams) names the request it belongs to.
No Django imports: settings.LOGGING refers to this module before the apps are loaded.
"""

from __future__ import annotations

import contextlib
import contextvars
import logging
from collections.abc import Iterator

from pythonjsonlogger.json import JsonFormatter

_request_id: contextvars.ContextVar[str] = contextvars.ContextVar("log_request_id", default="")


@contextlib.contextmanager
def logging_request(request_id: str) -> Iterator[None]:
    """Every line logged inside the block names `request_id`."""
    token = _request_id.set(request_id)
    try:
        yield
    finally:
        _request_id.reset(token)


class RequestIdFilter(logging.Filter):
    """Adds `request_id` to every record (empty outside a request)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not getattr(record, "request_id", ""):
            # django.request logs after the middleware has returned, but passes the request along.
            request = getattr(record, "request", None)
            record.request_id = _request_id.get() or str(getattr(request, "request_id", "") or "")
        if hasattr(record, "request"):
            record.request = repr(record.request)  # JSON needs text; the repr names method and path
        return True


class IomshareJsonFormatter(JsonFormatter):
    """JSON lines with a timestamp, level, logger, message and request id, and any `extra` fields."""

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("timestamp", True)
        kwargs.setdefault("rename_fields", {"levelname": "level", "name": "logger"})
        super().__init__("%(levelname)s %(name)s %(message)s %(request_id)s", *args, **kwargs)


def logging_config(log_format: str, level: str) -> dict:
    """settings.LOGGING: JSON lines (the default) or plain text, to standard error."""
    formatter = (
        {"()": "iomshare.operations.logs.IomshareJsonFormatter"}
        if log_format != "text"
        else {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"}
    )
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"request_id": {"()": "iomshare.operations.logs.RequestIdFilter"}},
        "formatters": {"standard": formatter},
        "handlers": {
            "console": {"class": "logging.StreamHandler", "filters": ["request_id"], "formatter": "standard"}
        },
        "root": {"handlers": ["console"], "level": level},
    }
