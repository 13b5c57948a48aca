"""Prometheus metrics: deliveries by outcome and event, jobs by state and tag, request latency.

Counters and the latency histogram live in the process that served the request. Under gunicorn,
set PROMETHEUS_MULTIPROC_DIR to an empty directory (one per host) so a scrape sums every worker.
Job counts are read from the database at scrape time, so every app server reports the same.
"""

from __future__ import annotations

import hmac
import ipaddress
import os
import time
from collections.abc import Callable

from django.conf import settings
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily

from cicallback.http import IPAddress, client_ip

DELIVERIES = Counter("cicallback_deliveries", "Callback deliveries received", ["outcome", "event"])
REQUEST_SECONDS = Histogram(
    "cicallback_request_duration_seconds",
    "Time to answer an HTTP request",
    ["view", "method", "status"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5),
)


class JobCollector:
    """Jobs by state and tag, counted when Prometheus asks."""

    def collect(self):
        from cicallback.models import Job

        family = GaugeMetricFamily("cicallback_jobs", "Jobs in the history", labels=["state", "tag"])
        for row in Job.objects.order_by().values("state", "tag").annotate(n=Count("id")):
            family.add_metric([row["state"], row["tag"]], row["n"])
        yield family


def record_delivery(outcome: str, event: str) -> None:
    DELIVERIES.labels(outcome=outcome, event=event or "-").inc()


def latency_middleware(get_response: Callable[[HttpRequest], HttpResponse]):
    def middleware(request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        response = get_response(request)
        match = request.resolver_match
        # The route's name, never the raw path: paths carry callback tokens and JobIds.
        view = match.view_name if match else "unmatched"
        REQUEST_SECONDS.labels(view=view, method=request.method, status=response.status_code).observe(
            time.perf_counter() - started
        )
        return response

    return middleware


def metrics(request: HttpRequest) -> HttpResponse:
    if not _allowed(request):
        return HttpResponse("metrics need the bearer token or an allowed address\n", status=403)
    return HttpResponse(generate_latest(_registry()), content_type=CONTENT_TYPE_LATEST)


def _registry() -> CollectorRegistry:
    registry = CollectorRegistry()
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.MultiProcessCollector(registry)
    else:
        registry.register(DELIVERIES)
        registry.register(REQUEST_SECONDS)
    registry.register(JobCollector())
    return registry


def _allowed(request: HttpRequest) -> bool:
    token = settings.CICALLBACK_METRICS_TOKEN
    if token:
        given = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
        return hmac.compare_digest(given.encode(), token.encode())
    # A proxy on an allowed address would otherwise pass on every outside request as its own.
    if any(header in request.headers for header in _PROXY_HEADERS) and not _vouched_for(request):
        return False
    return _within(_address(client_ip(request) or ""), settings.CICALLBACK_METRICS_ALLOWED_IPS)


_PROXY_HEADERS = ("X-Forwarded-For", "X-Real-IP", "Forwarded")


def _vouched_for(request: HttpRequest) -> bool:
    """A trusted proxy passed the request on and wrote every hop of X-Forwarded-For as an address.

    Only then is client_ip the client's own address. client_ip reads no other proxy header, and
    falls back to the proxy's address on a hop it cannot read.
    """
    remote = _address(request.META.get("REMOTE_ADDR", ""))
    hops = [_address(hop) for hop in request.headers.get("X-Forwarded-For", "").split(",")]
    return _within(remote, settings.CICALLBACK_TRUSTED_PROXIES) and None not in hops


def _address(text: str) -> IPAddress | None:
    try:
        return ipaddress.ip_address(text.strip())
    except ValueError:
        return None


def _within(address: IPAddress | None, networks: list[str]) -> bool:
    return address is not None and any(address in ipaddress.ip_network(net, strict=False) for net in networks)
