"""SSRF rules: which URLs may be registered, which resolved addresses may be contacted, and that the request
goes to the address that was checked."""

from __future__ import annotations

import asyncio
import ipaddress
import socket

import pytest

from ideaflow.webhooks import transport
from ideaflow.webhooks.transport import TargetRefused, refusal_reason, resolve_checked, validate_url
from tests.webhooks.conftest import Receiver, private_settings

REFUSED_ADDRESSES = [
    "127.0.0.1",
    "127.8.9.10",
    "10.0.0.5",
    "172.16.3.4",
    "192.168.1.1",
    "169.254.169.254",
    "169.254.10.10",
    "100.64.0.1",
    "100.100.100.200",
    "0.0.0.0",  # noqa: S104 - an address to refuse, not one to bind
    "224.0.0.1",
    "240.0.0.1",
    "::1",
    "::",
    "fe80::1",
    "fc00::1",
    "fd00:ec2::254",
    "::ffff:127.0.0.1",
    "::ffff:10.0.0.1",
    "::ffff:169.254.169.254",
    "2002:7f00:1::",  # 6to4 wrapping 127.0.0.1
    "64:ff9b::a00:1",  # NAT64 wrapping 10.0.0.1
]


@pytest.mark.parametrize("address", REFUSED_ADDRESSES)
def test_internal_addresses_are_refused(address):
    assert refusal_reason(ipaddress.ip_address(address), allow_private=False) is not None


@pytest.mark.parametrize("address", ["93.184.216.34", "1.1.1.1", "2606:4700:4700::1111"])
def test_public_addresses_are_allowed(address):
    assert refusal_reason(ipaddress.ip_address(address), allow_private=False) is None


@pytest.mark.parametrize("address", ["169.254.169.254", "fd00:ec2::254", "100.100.100.200", "::ffff:169.254.169.254"])
def test_cloud_metadata_stays_refused_even_when_private_targets_are_allowed(address):
    assert refusal_reason(ipaddress.ip_address(address), allow_private=True) == "a cloud metadata address"


@pytest.mark.parametrize("address", ["127.0.0.1", "10.1.2.3", "::1", "192.168.0.10"])
def test_private_targets_setting_allows_loopback_and_private_networks(address):
    assert refusal_reason(ipaddress.ip_address(address), allow_private=True) is None


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("", "is required"),
        ("ftp://hooks.example.com/x", "must start with https://"),
        ("http://hooks.example.com/x", "must use https://"),
        ("https://user:pass@hooks.example.com/x", "must not contain a user name or password"),
        ("https://hooks.example.com/x#frag", "must not contain a #fragment"),
        ("https:///nohost", "needs a host name"),
        ("https://127.0.0.1/x", "points to a loopback address"),
        ("https://10.0.0.1/x", "points to a private-network address"),
        ("https://169.254.169.254/latest/meta-data", "points to a cloud metadata address"),
        ("https://[::1]/x", "points to a loopback address"),
        ("https://[::ffff:127.0.0.1]/x", "points to a loopback address"),
        ("https://localhost/x", "points to a local host name"),
        ("https://metadata.google.internal/x", "points to a cloud metadata service"),
        ("https://hooks.example.com/a b", "must not contain spaces"),
        ("https://hooks.example.com:99999/x", "is not a valid URL"),
        ("https://example.com/" + "a" * 2000, "at most 2000 characters"),
    ],
)
def test_urls_that_are_refused_at_registration(url, reason):
    with pytest.raises(TargetRefused, match=reason):
        validate_url(url, allow_private=False)


def test_a_public_https_url_is_accepted():
    assert validate_url(" https://hooks.example.com/ideaflow?x=1 ", allow_private=False) == (
        "https://hooks.example.com/ideaflow?x=1"
    )


def test_plain_http_and_loopback_are_accepted_when_private_targets_are_allowed():
    assert validate_url("http://127.0.0.1:9000/hooks", allow_private=True) == "http://127.0.0.1:9000/hooks"


async def test_a_name_resolving_to_loopback_is_refused():
    with pytest.raises(TargetRefused, match="localhost resolves to a loopback address"):
        await resolve_checked("localhost", 443, allow_private=False)


def _fake_resolver(monkeypatch, answers: list[str]):
    """Make the running loop's resolver answer with these addresses (DNS a test cannot control otherwise)."""
    loop = asyncio.get_running_loop()

    async def getaddrinfo(host, port, **kwargs):
        family = lambda a: socket.AF_INET6 if ":" in a else socket.AF_INET  # noqa: E731
        return [(family(a), socket.SOCK_STREAM, 6, "", (a, port)) for a in answers]

    monkeypatch.setattr(loop, "getaddrinfo", getaddrinfo)


async def test_a_name_with_one_internal_address_among_public_ones_is_refused(monkeypatch):
    _fake_resolver(monkeypatch, ["93.184.216.34", "10.0.0.7"])
    with pytest.raises(TargetRefused, match=r"resolves to a private-network address \(10.0.0.7\)"):
        await resolve_checked("hooks.example.com", 443, allow_private=False)


async def test_a_public_name_rebound_to_loopback_is_refused_at_delivery(monkeypatch, receiver: Receiver):
    _fake_resolver(monkeypatch, ["127.0.0.1"])
    settings = private_settings(webhooks_allow_private_targets=False)
    result = await transport.send(
        f"https://hooks.example.com:{receiver.port}/x", body=b"{}", headers={}, settings=settings
    )
    assert result.error.startswith("Refused: hooks.example.com resolves to a loopback address")
    assert receiver.requests == []


async def test_the_request_goes_to_the_checked_address_with_the_real_host_name(monkeypatch, receiver: Receiver):
    # The name resolves to the receiver's address; the request must reach it with Host naming the host.
    _fake_resolver(monkeypatch, ["127.0.0.1"])
    result = await transport.send(
        f"http://hooks.example.test:{receiver.port}/in?a=1", body=b"{}", headers={}, settings=private_settings()
    )
    assert result.succeeded, result.error
    [request] = receiver.requests
    assert request.headers["host"] == f"hooks.example.test:{receiver.port}"
    assert request.path == "/in?a=1"


async def test_an_unresolvable_name_is_a_delivery_failure_not_a_crash():
    result = await transport.send(
        "https://does-not-exist.invalid/x", body=b"{}", headers={}, settings=private_settings()
    )
    assert result.error.startswith("Refused: could not resolve") and not result.succeeded


async def test_a_closed_port_is_a_connection_failure():
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    result = await transport.send(f"http://127.0.0.1:{port}/x", body=b"{}", headers={}, settings=private_settings())
    assert result.error.startswith("Could not connect") and result.status_code is None
