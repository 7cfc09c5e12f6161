"""`/metrics`: Prometheus' scrape, for the monitoring system only.

With IOMSHARE_METRICS_TOKEN set, a scrape must send `Authorization: Bearer <token>`; without it, only
a client on this machine's loopback that did not come through a proxy may scrape.
"""

from __future__ import annotations

import hmac
import ipaddress

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from prometheus_client import CONTENT_TYPE_LATEST

from iomshare.operations.metrics import exposition


def _on_loopback(request: HttpRequest) -> bool:
    if "HTTP_X_FORWARDED_FOR" in request.META or "HTTP_FORWARDED" in request.META:
        return False  # came through a proxy: the proxy's loopback address says nothing of the caller
    try:
        return ipaddress.ip_address(request.META.get("REMOTE_ADDR", "")).is_loopback
    except ValueError:
        return False


def may_scrape(request: HttpRequest) -> bool:
    token = settings.IOMSHARE_METRICS_TOKEN
    if token:
        presented = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
        return hmac.compare_digest(presented.encode(), token.encode())
    return _on_loopback(request)


@require_GET
@never_cache
def metrics(request: HttpRequest) -> HttpResponse:
    if not may_scrape(request):
        return HttpResponse(
            "Metrics are for the monitoring system: send its bearer token, or scrape from this machine.\n",
            status=403,
            content_type="text/plain; charset=utf-8",
        )
    return HttpResponse(exposition(), content_type=CONTENT_TYPE_LATEST)
