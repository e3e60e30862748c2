"""The client address behind zero, one or two proxies, as the lockout and rate limits see it."""

from __future__ import annotations

import pytest
from django.test import RequestFactory

from infuse.core.addresses import client_address


@pytest.mark.parametrize(
    ("proxies", "forwarded", "expected"),
    [
        (0, "198.51.100.1", "10.0.0.2"),  # no proxy: the header is the client's own claim
        (1, "", "10.0.0.2"),  # a proxy that sent nothing: the peer
        (1, "198.51.100.1", "198.51.100.1"),
        (1, "192.0.2.1, 198.51.100.1", "198.51.100.1"),  # left entry: the client's claim
        (2, "192.0.2.1, 198.51.100.1, 10.1.1.1", "198.51.100.1"),
        (2, "198.51.100.1", "10.0.0.2"),  # shorter than the proxies we run
        (1, "not-an-address", "10.0.0.2"),
        (1, " 2001:db8::1 ", "2001:db8::/64"),  # IPv6 counted by its /64
        (1, "2001:db8::1:2:3:4", "2001:db8::/64"),
        (1, "198.51.100.1:5678", "198.51.100.1"),  # a port some proxies append
        (1, "[2001:db8:0:1::9]:443", "2001:db8:0:1::/64"),
    ],
)
def test_the_client_is_the_entry_the_outermost_proxy_wrote(settings, proxies, forwarded, expected):
    settings.PROXY_COUNT = proxies
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR=forwarded)
    assert client_address(request) == expected


def test_a_direct_ipv6_client_is_counted_by_its_network(settings):
    """Without a proxy, two addresses of one /64 (one household) are one client."""
    settings.PROXY_COUNT = 0
    one = RequestFactory().get("/", REMOTE_ADDR="2001:db8:1:2::10")
    two = RequestFactory().get("/", REMOTE_ADDR="2001:db8:1:2:ffff::1")
    assert client_address(one) == client_address(two) == "2001:db8:1:2::/64"
