"""The client's address: the peer's, or what a trusted reverse proxy says it forwarded (`X-Forwarded-For`).

`X-Forwarded-For` is read only when the peer is in MOBRIEF_TRUSTED_PROXIES, and then from the right: each
proxy appends the address it received from, so the first address that is not a trusted proxy is the client.
Anything to its left was written by the client and is ignored. Uvicorn's own proxy-header handling is off
(`mobrief serve`), so this is the one place that decides. Our own code rather than a middleware package: the
rule is a dozen lines, and the sign-in throttle and the audit log need it as a plain function.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Sequence

from mobrief.errors import ConfigError

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
UNKNOWN = "unknown"


def parse_trusted_proxies(value: str) -> tuple[Network, ...]:
    """MOBRIEF_TRUSTED_PROXIES: comma-separated addresses or networks (`127.0.0.1, 10.0.0.0/8, ::1`)."""
    networks = []
    for part in value.split(","):
        text = part.strip()
        if not text:
            continue
        try:
            networks.append(ipaddress.ip_network(text, strict=False))
        except ValueError as exc:
            raise ConfigError(f"MOBRIEF_TRUSTED_PROXIES: {text!r} is not an IP address or network") from exc
    return tuple(networks)


def _address(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    candidate = text.strip()
    if candidate.startswith("[") and "]" in candidate:  # "[::1]:443"
        candidate = candidate[1 : candidate.index("]")]
    elif candidate.count(":") == 1:  # "203.0.113.7:51000"
        candidate = candidate.split(":", 1)[0]
    try:
        address = ipaddress.ip_address(candidate)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def _trusted(address: ipaddress.IPv4Address | ipaddress.IPv6Address, networks: Sequence[Network]) -> bool:
    return any(address.version == n.version and address in n for n in networks)


def client_address(peer: str | None, forwarded_for: Iterable[str], trusted: Sequence[Network]) -> str:
    """The client's address as text, given the peer's address and the `X-Forwarded-For` header values."""
    address = _address(peer) if peer else None
    if address is None:
        return peer or UNKNOWN
    if not trusted or not _trusted(address, trusted):
        return str(address)
    hops = [hop for value in forwarded_for for hop in value.split(",")]
    for hop in reversed(hops):
        forwarded = _address(hop)
        if forwarded is None:  # garbage in the chain: trust nothing to its left
            return str(address)
        address = forwarded
        if not _trusted(address, trusted):
            return str(address)
    return str(address)  # every hop a trusted proxy: the leftmost is as close to the client as we know
