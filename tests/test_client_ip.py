"""X-Forwarded-For is believed only when it comes from a configured trusted proxy."""

import pytest
from django.test import RequestFactory

from cicallback.http import client_ip


@pytest.fixture
def request_from(rf: RequestFactory):
    def build(remote: str, forwarded: str | None = None):
        extra = {"REMOTE_ADDR": remote}
        if forwarded is not None:
            extra["HTTP_X_FORWARDED_FOR"] = forwarded
        return rf.post("/callback/t/", **extra)

    return build


def test_without_trusted_proxies_the_peer_address_is_used(request_from):
    assert client_ip(request_from("198.51.100.7", "203.0.113.1")) == "198.51.100.7"


def test_a_trusted_proxy_passes_the_client_address_on(request_from, settings):
    settings.CICALLBACK_TRUSTED_PROXIES = ["10.0.0.0/8"]
    assert client_ip(request_from("10.0.0.2", "203.0.113.1")) == "203.0.113.1"


def test_a_client_cannot_forge_an_address_through_a_trusted_proxy(request_from, settings):
    settings.CICALLBACK_TRUSTED_PROXIES = ["10.0.0.2"]
    # The client sent "1.2.3.4" itself; the proxy appended the address it saw.
    assert client_ip(request_from("10.0.0.2", "1.2.3.4, 203.0.113.1")) == "203.0.113.1"


@pytest.mark.parametrize("forwarded", ["", "garbage", "999.1.1.1", ",,,", "203.0.113.1, nonsense"])
def test_a_malformed_header_falls_back_to_the_proxy_address(request_from, settings, forwarded):
    settings.CICALLBACK_TRUSTED_PROXIES = ["10.0.0.2"]
    assert client_ip(request_from("10.0.0.2", forwarded)) == "10.0.0.2"


def test_ipv6_peers_are_recorded(request_from):
    assert client_ip(request_from("2001:db8::1")) == "2001:db8::1"
