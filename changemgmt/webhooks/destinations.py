"""Where a webhook may go, and the one HTTP request that takes it there.

A URL is accepted when its scheme is http or https, it names a host and no credentials, and every
address the host resolves to is public: not private, loopback, link-local, shared, reserved, multicast
or unspecified (`ipaddress`'s `is_global`), unless `WEBHOOKS_ALLOW_PRIVATE_DESTINATIONS` is on. The check
runs when a subscription is saved and again before every attempt, and the request then connects to the
address that was checked (the Host header and TLS still name the host), so a name that re-resolves to
an internal address between the check and the connection is not followed.
"""
import http.client
import ipaddress
import socket
import ssl
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError

MAX_URL = 2000
PORTS = {"http": 80, "https": 443}
PRIVATE_RULE = ("webhooks go only to public addresses, never to private, loopback, link-local or reserved ones "
                "(WEBHOOKS_ALLOW_PRIVATE_DESTINATIONS is off)")


@dataclass(frozen=True)
class Destination:
    scheme: str
    host: str
    port: int
    target: str  # path and query
    address: str  # the checked address the request connects to


def _refuse(message: str):
    raise ValidationError({"url": [message]})


def _split(url) -> tuple[str, str, int, str]:
    if not isinstance(url, str) or not url.strip():
        _refuse("Give the receiver's URL, starting with https:// or http://.")
    url = url.strip()
    if len(url) > MAX_URL or any(char.isspace() or ord(char) < 32 for char in url):
        _refuse(f"Give a URL of at most {MAX_URL} characters, without spaces or control characters.")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        _refuse("Give a valid URL, e.g. https://hooks.example.com/changemgmt.")
    scheme = parts.scheme.lower()
    if scheme not in PORTS:
        _refuse("The URL must start with https:// or http://.")
    if not parts.hostname:
        _refuse("The URL must name a host.")
    if parts.username is not None or parts.password is not None:
        _refuse("The URL must not carry a user name or password: the signature authenticates each request.")
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return scheme, parts.hostname, port or PORTS[scheme], target


def _public(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if ip.version == 6 and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def resolve(url) -> Destination:
    """The checked destination of `url`; ValidationError on `url` naming the rule it breaks."""
    scheme, host, port, target = _split(url)
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError):
        _refuse(f"The host “{host}” does not resolve to any address.")
    addresses = list(dict.fromkeys(info[4][0] for info in infos))
    if not settings.WEBHOOKS_ALLOW_PRIVATE_DESTINATIONS:
        for address in addresses:
            if not _public(address):
                _refuse(f"The host “{host}” resolves to {address}: {PRIVATE_RULE}.")
    return Destination(scheme, host, port, target, addresses[0])


def post(destination: Destination, body: bytes, headers: dict, timeout: float) -> int:
    """POST `body` to the destination's checked address and return the HTTP status. Redirects are not
    followed (a 3xx is a failed attempt). Raises OSError or http.client.HTTPException on network errors
    and timeouts."""
    sock = socket.create_connection((destination.address, destination.port), timeout=timeout)
    if destination.scheme == "https":
        sock = ssl.create_default_context().wrap_socket(sock, server_hostname=destination.host)
        connection = http.client.HTTPSConnection(destination.host, destination.port, timeout=timeout)
    else:
        connection = http.client.HTTPConnection(destination.host, destination.port, timeout=timeout)
    connection.sock = sock
    try:
        connection.request("POST", destination.target, body=body, headers=headers)
        return connection.getresponse().status
    finally:
        connection.close()
