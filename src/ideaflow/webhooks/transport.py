"""Sending one webhook request without becoming an SSRF proxy: validate the URL, resolve the host, refuse
internal addresses, connect to the very address that was checked (TLS still verifies the real host name),
never follow redirects, time out, and read at most a capped amount of the answer."""

from __future__ import annotations

import asyncio
import ipaddress
import socket
import time
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

import httpx

from ideaflow.config import Settings

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

# Instance metadata services: refused even when private targets are allowed, because they hand out
# cloud credentials to anything that can reach them.
METADATA_ADDRESSES = frozenset(
    ipaddress.ip_address(a)
    for a in (
        "169.254.169.254",  # AWS, GCP, Azure, DigitalOcean, OpenStack...
        "169.254.170.2",  # AWS ECS task metadata
        "fd00:ec2::254",  # AWS over IPv6
        "100.100.100.200",  # Alibaba Cloud
        "192.0.0.192",  # Oracle Cloud
    )
)
METADATA_HOSTNAMES = frozenset({"metadata.google.internal", "metadata", "instance-data", "instance-data.ec2.internal"})
NAT64 = ipaddress.ip_network("64:ff9b::/96")
URL_MAX_LENGTH = 2000


class TargetRefused(Exception):
    """The URL points somewhere webhooks must not go; the message says why."""


def _embedded_ipv4(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """IPv4 addresses reachable through an IPv6 form: mapped (::ffff:a.b.c.d), 6to4, Teredo, NAT64."""
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip.sixtofour is not None:
        return ip.sixtofour
    if ip.teredo is not None:
        return ip.teredo[1]
    if ip in NAT64:
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return None


def refusal_reason(ip: IPAddress, *, allow_private: bool) -> str | None:
    """Why an address may not be contacted, or None if it may."""
    if isinstance(ip, ipaddress.IPv6Address):
        embedded = _embedded_ipv4(ip)
        if embedded is not None:
            return refusal_reason(embedded, allow_private=allow_private)
    if ip in METADATA_ADDRESSES:
        return "a cloud metadata address"
    if ip.is_unspecified:
        return "an unspecified address"
    if ip.is_multicast:
        return "a multicast address"
    if allow_private:
        return None
    if ip.is_loopback:
        return "a loopback address"
    if ip.is_link_local:
        return "a link-local address"
    if ip.is_private:
        return "a private-network address"
    if ip.is_reserved or not ip.is_global:
        return "a reserved address"
    return None


def _literal_ip(host: str) -> IPAddress | None:
    try:
        return ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return None


def validate_url(url: str, *, allow_private: bool) -> str:
    """Check a URL an admin registers: http(s), a host, no credentials, no fragment; https unless private
    targets are allowed (self-hosters' internal receivers often speak plain http). Literal addresses and
    local names are checked now; other names are resolved and checked again at every delivery."""
    url = (url or "").strip()
    if not url:
        raise TargetRefused("is required")
    if len(url) > URL_MAX_LENGTH:
        raise TargetRefused(f"must be at most {URL_MAX_LENGTH} characters")
    if any(ch.isspace() or ord(ch) < 32 for ch in url):
        raise TargetRefused("must not contain spaces or control characters")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise TargetRefused("is not a valid URL") from None
    if parts.scheme not in ("http", "https"):
        raise TargetRefused("must start with https://")
    if parts.scheme == "http" and not allow_private:
        raise TargetRefused("must use https://")
    if parts.username is not None or parts.password is not None or "@" in parts.netloc:
        raise TargetRefused("must not contain a user name or password")
    if parts.fragment:
        raise TargetRefused("must not contain a #fragment")
    host = (parts.hostname or "").rstrip(".").lower()
    if not host:
        raise TargetRefused("needs a host name")
    if port == 0:
        raise TargetRefused("has an invalid port")
    if host in METADATA_HOSTNAMES:
        raise TargetRefused("points to a cloud metadata service")
    ip = _literal_ip(host)
    if ip is not None:
        reason = refusal_reason(ip, allow_private=allow_private)
        if reason:
            raise TargetRefused(f"points to {reason}")
    elif not allow_private and (host == "localhost" or host.endswith((".localhost", ".local", ".internal"))):
        raise TargetRefused("points to a local host name")
    return url


async def resolve_checked(host: str, port: int, *, allow_private: bool) -> IPAddress:
    """Resolve the host and refuse if ANY of its addresses is forbidden (so a name cannot mix a public and an
    internal answer); return the address to connect to."""
    ip = _literal_ip(host)
    if ip is not None:
        addresses = [ip]
    else:
        try:
            infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except (socket.gaierror, UnicodeError) as exc:
            raise TargetRefused(f"could not resolve {host}: {exc}") from None
        addresses = []
        for *_, sockaddr in infos:
            candidate = ipaddress.ip_address(str(sockaddr[0]).split("%", 1)[0])
            if candidate not in addresses:
                addresses.append(candidate)
        if not addresses:
            raise TargetRefused(f"{host} has no address")
    for candidate in addresses:
        reason = refusal_reason(candidate, allow_private=allow_private)
        if reason:
            raise TargetRefused(f"{host} resolves to {reason} ({candidate})")
    return addresses[0]


@dataclass(frozen=True)
class SendResult:
    status_code: int | None
    response_excerpt: str | None
    error: str | None
    duration_ms: int

    @property
    def succeeded(self) -> bool:
        return self.error is None and self.status_code is not None and 200 <= self.status_code < 300


async def _read_capped(response: httpx.Response, limit: int) -> bytes:
    body = bytearray()
    async for chunk in response.aiter_raw():
        body.extend(chunk[: limit - len(body)])
        if len(body) >= limit:
            break  # stop reading: closing the stream drops the rest
    return bytes(body)


async def send(
    url: str,
    *,
    body: bytes,
    headers: dict[str, str],
    settings: Settings,
    transport: httpx.AsyncBaseTransport | None = None,
) -> SendResult:
    """POST `body` to `url` under every SSRF rule; never raises for network or HTTP failures, reports them."""
    started = time.monotonic()

    def result(status: int | None = None, excerpt: str | None = None, error: str | None = None) -> SendResult:
        return SendResult(status, excerpt, error, int((time.monotonic() - started) * 1000))

    allow_private = settings.webhooks_allow_private_targets
    try:
        validate_url(url, allow_private=allow_private)
        parts = urlsplit(url)
        host = (parts.hostname or "").rstrip(".")
        port = parts.port or (443 if parts.scheme == "https" else 80)
        ip = await resolve_checked(host, port, allow_private=allow_private)
    except TargetRefused as exc:
        return result(error=f"Refused: {exc}")

    # Connect to the checked address; the Host header and TLS (SNI and certificate check) use the real name.
    ip_host = f"[{ip}]" if ip.version == 6 else str(ip)
    netloc = f"{ip_host}:{parts.port}" if parts.port else ip_host
    target = urlunsplit((parts.scheme, netloc, parts.path or "/", parts.query, ""))
    host_header = parts.netloc.rsplit("@", 1)[-1]
    extensions = {"sni_hostname": host} if parts.scheme == "https" else {}
    timeout = httpx.Timeout(
        settings.webhooks_read_timeout_seconds,
        connect=settings.webhooks_connect_timeout_seconds,
    )
    limit = settings.webhooks_max_response_bytes
    try:
        async with httpx.AsyncClient(
            timeout=timeout, follow_redirects=False, trust_env=False, transport=transport
        ) as client:
            request = client.build_request(
                "POST",
                target,
                content=body,
                headers={**headers, "Host": host_header, "Accept-Encoding": "identity"},
                extensions=extensions,
            )
            # The whole exchange, not only each read, is bounded: a server trickling bytes cannot hold us.
            async with asyncio.timeout(
                settings.webhooks_connect_timeout_seconds + settings.webhooks_read_timeout_seconds
            ):
                response = await client.send(request, stream=True)
                try:
                    raw = await _read_capped(response, limit)
                finally:
                    await response.aclose()
    except TimeoutError:
        return result(error="Timed out waiting for the endpoint")
    except httpx.TimeoutException as exc:
        return result(error=f"Timed out ({exc.__class__.__name__})")
    except httpx.HTTPError as exc:
        return result(error=f"Could not connect: {exc.__class__.__name__}: {exc}"[:480])
    excerpt = raw.decode("utf-8", errors="replace")
    status = response.status_code
    if 300 <= status < 400:
        return result(status, excerpt, f"Redirect to {response.headers.get('location', '?')[:200]} not followed")
    if not 200 <= status < 300:
        return result(status, excerpt, f"HTTP {status}")
    return result(status, excerpt)
