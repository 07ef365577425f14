"""HTTP helpers shared by the apps."""

import functools
from urllib.parse import quote


def attachment_header(filename: str) -> str:
    """Content-Disposition for a download with a Chinese file name (RFC 6266 / 5987)."""
    return f"attachment; filename*=UTF-8''{quote(filename, safe='')}"


# The client's address: one answer for the rate limits (django-ratelimit,
# RATELIMIT_IP_META_KEY) and the login lockout (django-axes,
# AXES_CLIENT_IP_CALLABLE). Behind a reverse proxy every connection comes from
# the proxy; its header is believed only when the connection comes from a
# proxy named in GONGKAI_TRUSTED_PROXIES, so a client elsewhere cannot choose
# its own address by sending the header itself.

UNKNOWN_CLIENT = "0.0.0.0"


def client_ip(request) -> str:
    """The address of the client that sent `request`.

    REMOTE_ADDR unless the connection comes from a trusted proxy; then the
    header GONGKAI_CLIENT_IP_META_KEY names (default X-Forwarded-For). In an
    X-Forwarded-For chain the client is the right-most address that is not a
    trusted proxy itself (the left part is whatever the client chose to send).
    A missing or malformed header leaves the connection's address. A
    connection without an address (a Unix socket, a test harness) counts as
    UNKNOWN_CLIENT: one shared bucket for the limits, never a crash."""
    from django.conf import settings

    remote = _address(request.META.get("REMOTE_ADDR", ""))
    proxies = _networks(tuple(getattr(settings, "GONGKAI_TRUSTED_PROXIES", ()) or ()))
    if not proxies or not _trusted(remote, proxies):
        return remote or UNKNOWN_CLIENT
    header = getattr(settings, "GONGKAI_CLIENT_IP_META_KEY", None) or "HTTP_X_FORWARDED_FOR"
    chain = [part.strip() for part in request.META.get(header, "").split(",") if part.strip()]
    client = remote
    for part in reversed(chain):
        address = _address(part)
        if not address:
            break  # nothing left of a malformed entry can be believed
        client = address
        if not _trusted(address, proxies):
            break
    return client or UNKNOWN_CLIENT


def _address(text: str) -> str:
    """`text` as a normalised IP address ('' when it is none); a port or the
    brackets of an IPv6 address are dropped."""
    import ipaddress

    text = (text or "").strip()
    if text.startswith("[") and "]" in text:
        text = text[1:text.index("]")]
    elif text.count(":") == 1:
        text = text.split(":", 1)[0]  # IPv4 with a port
    try:
        return str(ipaddress.ip_address(text))
    except ValueError:
        return ""


@functools.lru_cache(maxsize=16)
def _networks(entries: tuple[str, ...]) -> tuple:
    import ipaddress

    return tuple(ipaddress.ip_network(entry.strip(), strict=False) for entry in entries if entry.strip())


def _trusted(address: str, networks: tuple) -> bool:
    import ipaddress

    if not address:
        return False
    ip = ipaddress.ip_address(address)
    if ip.version == 6 and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return any(ip.version == net.version and ip in net for net in networks)
