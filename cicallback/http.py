"""What the receiving view needs of a raw HTTP request: its body, within limits, and who sent it."""

from __future__ import annotations

import ipaddress
from functools import lru_cache

from django.conf import settings
from django.http import HttpRequest

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


class BodyTooLarge(Exception):
    pass


class BadContentLength(Exception):
    pass


def read_body(request: HttpRequest, limit: int) -> bytes:
    """The request body, refused before it is read into memory when it is larger than limit."""
    declared = request.META.get("CONTENT_LENGTH", "").strip()
    if declared:
        # HTTP allows ASCII digits only; isdigit() alone also takes "²" (which int() then refuses).
        if not (declared.isascii() and declared.isdigit()):
            raise BadContentLength(f"Content-Length {declared[:40]!r} is not a number")
        if int(declared) > limit:
            raise BodyTooLarge(f"body of {declared} bytes is over the limit of {limit} bytes")
        return request.body
    # A chunked body has no length; the server marks such input as terminated, so it can be read
    # to its end, but no further than one byte past the limit.
    stream = request.META.get("wsgi.input")
    if stream is not None and request.META.get("wsgi.input_terminated"):
        body = stream.read(limit + 1)
        if len(body) > limit:
            raise BodyTooLarge(f"body is over the limit of {limit} bytes")
        return body
    return b""


def client_ip(request: HttpRequest) -> str | None:
    """The sender's address; X-Forwarded-For is believed only when a trusted proxy passed it on."""
    remote = _address(request.META.get("REMOTE_ADDR", ""))
    if remote is None or not _is_trusted_proxy(remote):
        return str(remote) if remote else None
    hops = request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
    # Walk back from the nearest hop: each trusted proxy vouches for the one before it.
    for hop in reversed(hops):
        address = _address(hop)
        if address is None:
            break
        if not _is_trusted_proxy(address):
            return str(address)
    return str(remote)


def _address(text: str) -> IPAddress | None:
    try:
        return ipaddress.ip_address(text.strip())
    except ValueError:
        return None


def _is_trusted_proxy(address: IPAddress) -> bool:
    return any(address in network for network in _trusted_networks(tuple(settings.CICALLBACK_TRUSTED_PROXIES)))


@lru_cache(maxsize=4)
def _trusted_networks(proxies: tuple[str, ...]) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    return tuple(ipaddress.ip_network(proxy, strict=False) for proxy in proxies)
