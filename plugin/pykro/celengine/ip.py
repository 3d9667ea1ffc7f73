"""Kubernetes ``library.IP()`` and ``library.CIDR()``.

Parsing follows Go's ``net/netip`` as the apiserver uses it: no zones, no
IPv4-mapped IPv6 addresses, no leading zeros in IPv4 octets. Classification
methods follow Go's definitions (``isGlobalUnicast`` is true for private ranges,
unlike Python's ``is_global``).
"""

from __future__ import annotations

import ipaddress
from typing import Any, Union

from celpy import celtypes

from ._runtime import EvalFailure, Library, NoOverload, parses, string_arg

__all__ = ["LIBRARY", "IP", "CIDR"]

_Addr = Union[ipaddress.IPv4Address, ipaddress.IPv6Address]


class IP:
    cel_type_name = "net.IP"

    def __init__(self, addr: _Addr) -> None:
        self.addr = addr

    def cel_string(self) -> str:
        return str(self.addr)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, IP) and other.addr == self.addr

    __hash__ = None  # type: ignore[assignment]


class CIDR:
    cel_type_name = "net.IPPrefix"

    def __init__(self, addr: _Addr, bits: int) -> None:
        self.addr = addr
        self.bits = bits

    @property
    def network(self) -> ipaddress.IPv4Network | ipaddress.IPv6Network:
        return ipaddress.ip_network(f"{self.addr}/{self.bits}", strict=False)

    def cel_string(self) -> str:
        return f"{self.addr}/{self.bits}"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, CIDR) and (other.addr, other.bits) == (self.addr, self.bits)

    __hash__ = None  # type: ignore[assignment]


def parse_ip(text: str) -> _Addr:
    if "%" in text:
        raise EvalFailure(f"IP address with zone value is not allowed: {text!r}")
    try:
        addr = ipaddress.ip_address(text)
    except ValueError:
        raise EvalFailure(f"IP Address {text!r} parse error during conversion from string: ParseAddr({text!r}): "
                          f"unable to parse IP") from None
    if isinstance(addr, ipaddress.IPv6Address) and addr.ipv4_mapped is not None and "." in text:
        raise EvalFailure(f"IPv4-mapped IPv6 address is not allowed: {text!r}")
    return addr


def parse_cidr(text: str) -> CIDR:
    addr_text, sep, bits_text = text.partition("/")
    if not sep or not bits_text.isdigit() or (len(bits_text) > 1 and bits_text.startswith("0")):
        raise EvalFailure(f"network address parse error during conversion from string: netip.ParsePrefix({text!r}): "
                          f"bad bits after slash")
    if "%" in addr_text:
        raise EvalFailure(f"CIDR with zone value is not allowed: {text!r}")
    addr = parse_ip(addr_text)
    bits = int(bits_text)
    if bits > addr.max_prefixlen:
        raise EvalFailure(f"network address parse error during conversion from string: netip.ParsePrefix({text!r}): "
                          f"prefix length out of range")
    return CIDR(addr, bits)


_str = string_arg


def _ip(value: Any) -> IP:
    if isinstance(value, IP):
        return value
    raise NoOverload


def _cidr_of(value: Any) -> CIDR:
    if isinstance(value, CIDR):
        return value
    raise NoOverload


def _is_ip(value: Any) -> Any:
    return parses(parse_ip, _str(value))


def _is_canonical(value: Any) -> Any:
    text = _str(value)
    return celtypes.BoolType(str(parse_ip(text)) == text)


def _is_cidr(value: Any) -> Any:
    return parses(parse_cidr, _str(value))


def _global_unicast(addr: _Addr) -> bool:
    if addr.is_unspecified or addr.is_loopback or addr.is_multicast:
        return False
    if isinstance(addr, ipaddress.IPv4Address):
        return addr not in ipaddress.ip_network("169.254.0.0/16") and str(addr) != "255.255.255.255"
    return addr not in ipaddress.ip_network("fe80::/10")


def _link_local_unicast(addr: _Addr) -> bool:
    net = "169.254.0.0/16" if addr.version == 4 else "fe80::/10"
    return addr in ipaddress.ip_network(net)


def _link_local_multicast(addr: _Addr) -> bool:
    if addr.version == 4:
        return addr in ipaddress.ip_network("224.0.0.0/24")
    return (int(addr) >> 112) & 0xFF0F == 0xFF02


def _contains_ip(cidr: Any, other: Any) -> Any:
    c = _cidr_of(cidr)
    addr = parse_ip(str(other)) if isinstance(other, str) else _ip(other).addr
    return celtypes.BoolType(addr.version == c.addr.version and addr in c.network)


def _contains_cidr(cidr: Any, other: Any) -> Any:
    c = _cidr_of(cidr)
    o = parse_cidr(str(other)) if isinstance(other, str) else _cidr_of(other)
    if o.addr.version != c.addr.version:
        return celtypes.BoolType(False)
    return celtypes.BoolType(o.bits >= c.bits and o.addr in c.network)


def _string(value: Any) -> Any:
    if isinstance(value, (IP, CIDR)):
        return celtypes.StringType(value.cel_string())
    raise NoOverload


LIBRARY = Library(
    functions={
        "ip": lambda v: IP(parse_ip(_str(v))),
        "isIP": _is_ip,
        "ip.isCanonical": _is_canonical,
        "cidr": lambda v: parse_cidr(_str(v)),
        "isCIDR": _is_cidr,
        "string": _string,
    },
    methods={
        "family": lambda v: celtypes.IntType(_ip(v).addr.version),
        "isUnspecified": lambda v: celtypes.BoolType(_ip(v).addr.is_unspecified),
        "isLoopback": lambda v: celtypes.BoolType(_ip(v).addr.is_loopback),
        "isGlobalUnicast": lambda v: celtypes.BoolType(_global_unicast(_ip(v).addr)),
        "isLinkLocalUnicast": lambda v: celtypes.BoolType(_link_local_unicast(_ip(v).addr)),
        "isLinkLocalMulticast": lambda v: celtypes.BoolType(_link_local_multicast(_ip(v).addr)),
        "containsIP": _contains_ip,
        "containsCIDR": _contains_cidr,
        "ip": lambda v: IP(_cidr_of(v).addr),
        "prefixLength": lambda v: celtypes.IntType(_cidr_of(v).bits),
        "masked": lambda v: CIDR(_cidr_of(v).network.network_address, _cidr_of(v).bits),
    },
)
