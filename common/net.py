"""Outbound requests that cannot reach the inside: the one rule for chat channels, webhooks and fetches.

A URL is refused when its host is, or resolves to, a loopback, private, link-local, multicast,
reserved or otherwise non-public address, unless settings.OUTBOUND_ALLOWED_NETWORKS (CIDRs from the
environment, empty by default) lists a network that holds it. Check at registration with
`outbound_url_check`, and send with `outbound_post`, which resolves the host once, checks every address
and connects to the address it checked: a name that resolves to a public address at registration and
to 127.0.0.1 at delivery (DNS rebinding) is refused then, and cannot switch between check and connect.
"""

import http.client
import ipaddress
import socket
import ssl
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

Address = ipaddress.IPv4Address | ipaddress.IPv6Address


class OutboundAddressRefused(ValueError):
    """The URL is not http(s), its host does not resolve, or it points inside the network."""


def allowed_networks() -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    """settings.OUTBOUND_ALLOWED_NETWORKS parsed (e.g. ["127.0.0.0/8", "10.1.0.0/16"])."""
    try:
        return [
            ipaddress.ip_network(str(n).strip(), strict=False) for n in settings.OUTBOUND_ALLOWED_NETWORKS
        ]
    except ValueError as error:
        raise ImproperlyConfigured(f"OUTBOUND_ALLOWED_NETWORKS: {error}") from error


def _inside(address: Address) -> bool:
    """True for every address that is not on the public internet."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return (
        address.is_private
        or address.is_loopback
        or address.is_link_local
        or address.is_multicast
        or address.is_reserved
        or address.is_unspecified
        or not address.is_global
    )


def _parts(url: str) -> tuple[str, str, int]:
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as error:
        raise OutboundAddressRefused(f"Not a valid URL: {error}.") from error
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise OutboundAddressRefused("Only http:// and https:// URLs with a host name are allowed.")
    return parts.scheme, parts.hostname, port or (443 if parts.scheme == "https" else 80)


def outbound_url_check(url: str) -> list[Address]:
    """The addresses `url`'s host resolves to, each one public or allowed; else OutboundAddressRefused."""
    _, host, port = _parts(url)
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as error:
        raise OutboundAddressRefused(f"The host {host} cannot be resolved.") from error
    addresses = list(dict.fromkeys(ipaddress.ip_address(info[4][0].split("%")[0]) for info in infos))
    if not addresses:
        raise OutboundAddressRefused(f"The host {host} cannot be resolved.")
    networks = allowed_networks()
    for address in addresses:
        if _inside(address) and not any(address in network for network in networks):
            raise OutboundAddressRefused(
                f"{host} points to {address}, an address inside the network; only public addresses "
                "are allowed."
            )
    return addresses


class _PinnedHTTPConnection(http.client.HTTPConnection):
    """Connects to the address that was checked, whatever the name resolves to now."""

    def __init__(self, host, port, *, address: str, timeout: float):
        super().__init__(host, port, timeout=timeout)
        self.address = address

    def connect(self):
        self.sock = socket.create_connection((self.address, self.port), self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    """The same over TLS; the certificate is still verified for the host name."""

    def __init__(self, host, port, *, address: str, timeout: float):
        super().__init__(host, port, timeout=timeout, context=ssl.create_default_context())
        self.address = address

    def connect(self):
        sock = socket.create_connection((self.address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)


def outbound_post(url: str, *, body: bytes, headers: dict[str, str], timeout: float) -> int:
    """POST `body` to `url` after the check above; the response's status code (redirects not followed).

    Raises OutboundAddressRefused for a refused URL and OSError (http.client errors included) when
    the receiver cannot be reached or answers garbage.
    """
    scheme, host, port = _parts(url)
    address = str(outbound_url_check(url)[0])
    connection_class = _PinnedHTTPSConnection if scheme == "https" else _PinnedHTTPConnection
    connection = connection_class(host, port, address=address, timeout=timeout)
    parts = urlsplit(url)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    try:
        connection.request("POST", path, body=body, headers=headers)
        response = connection.getresponse()
        response.read(64 * 1024)
        return response.status
    except http.client.HTTPException as error:
        raise OSError(str(error) or type(error).__name__) from error
    finally:
        connection.close()
