"""Where an action came from: channel, request id and client address, for every ledger entry.

The web middleware sets the origin for the length of a request (a context variable, so each thread
of the server keeps its own); services deep in the call stack read it without every function having
to pass the request along. Outside a request (commands, scripts) the origin is the command line.
"""

from __future__ import annotations

import contextlib
import contextvars
import ipaddress
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import cast

from django.conf import settings
from django.http import FileResponse, HttpRequest, StreamingHttpResponse
from django.http.response import HttpResponseBase

from iomshare.ledger.models import Channel


@dataclass(frozen=True)
class Origin:
    channel: str
    request_id: str = ""
    client_address: str = ""


CLI_ORIGIN = Origin(channel=Channel.CLI)
_current: contextvars.ContextVar[Origin | None] = contextvars.ContextVar("ledger_origin", default=None)


def _valid_address(text: str) -> str:
    try:
        return str(ipaddress.ip_address(text.strip()))
    except ValueError:
        return ""


def client_address(request: HttpRequest) -> str:
    """REMOTE_ADDR, or the address the nearest trusted proxy saw when TRUSTED_PROXY_COUNT says so.

    X-Forwarded-For is written by the client too, so only the entries our own proxies appended count.
    """
    trusted = int(getattr(settings, "TRUSTED_PROXY_COUNT", 0) or 0)
    if trusted > 0:
        forwarded = [part for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
        if len(forwarded) >= trusted:
            return _valid_address(forwarded[-trusted])
    return _valid_address(request.META.get("REMOTE_ADDR", ""))


def origin_from_request(request: HttpRequest, channel: str | None = None) -> Origin:
    if channel is None:
        channel = Channel.API if request.path.startswith("/api/") else Channel.WEB
    return Origin(
        channel=channel,
        request_id=str(getattr(request, "request_id", "") or "")[:64],
        client_address=client_address(request),
    )


def current_origin() -> Origin:
    return _current.get() or CLI_ORIGIN


@contextlib.contextmanager
def acting_from(origin: Origin) -> Iterator[Origin]:
    """Record every entry written inside the block as coming from `origin`."""
    token = _current.set(origin)
    try:
        yield origin
    finally:
        _current.reset(token)


def _within(context: contextvars.Context, chunks: Iterable[bytes]) -> Iterator[bytes]:
    """Produce each chunk inside `context`, entered afresh for every chunk so nothing leaks out."""
    iterator = iter(chunks)
    while True:
        try:
            chunk = context.run(next, iterator)
        except StopIteration:
            return
        yield chunk


def carry_into_stream(response: HttpResponseBase) -> HttpResponseBase:
    """Make a streamed body run in the request's context (ledger origin, log request id).

    A streamed body is produced after the middleware has returned and reset its context variables;
    without this, an extract's export entries would say `cli` and name no request or address.
    """
    if isinstance(response, FileResponse):
        return response  # a file's bytes write no entries; keep the server's sendfile path
    if isinstance(response, StreamingHttpResponse) and not response.is_async:
        chunks = cast(Iterator[bytes], response.streaming_content)  # not async: a plain iterator
        response.streaming_content = _within(contextvars.copy_context(), chunks)
    return response


class LedgerOriginMiddleware:
    """Sets the ledger origin (web or API channel, request id, client address) for each request,
    streamed bodies included."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        with acting_from(origin_from_request(request)):
            return carry_into_stream(self.get_response(request))
