"""How hosts spell addresses, and which addresses are off limits."""

import pytest

from app.fetching.addresses import is_forbidden, parse_host_address
from app.fetching.allowlist import AllowList


@pytest.mark.parametrize(
    ("host", "address"),
    [
        ("2130706433", "127.0.0.1"),
        ("0x7f.0.0.1", "127.0.0.1"),
        ("0x7F000001", "127.0.0.1"),
        ("127.1", "127.0.0.1"),
        ("10.1", "10.0.0.1"),
        ("0177.0.0.1", "127.0.0.1"),
        ("017700000001", "127.0.0.1"),
        ("127.0.0.1.", "127.0.0.1"),
        ("[::1]", "::1"),
        ("fe80::1%eth0", "fe80::1"),
        ("8.8.8.8", "8.8.8.8"),
    ],
)
def test_numeric_host_spellings_parse_like_inet_aton(host: str, address: str) -> None:
    assert str(parse_host_address(host)) == address


@pytest.mark.parametrize(
    "host", ["example.com", "1e1.0.0.1", "256.0.0.1", "0x1g.0.0.1", "", "1..1"]
)
def test_names_and_invalid_numbers_are_not_addresses(host: str) -> None:
    assert parse_host_address(host) is None


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "10.0.0.1",
        "172.31.255.255",
        "192.168.0.1",
        "169.254.169.254",
        "100.64.0.1",
        "0.0.0.0",
        "224.0.0.251",
        "240.0.0.1",
        "255.255.255.255",
        "192.0.2.1",
        "198.18.0.1",
        "::1",
        "::",
        "fe80::1",
        "fc00::1",
        "fec0::1",
        "ff02::1",
        "::ffff:127.0.0.1",
        "::ffff:10.0.0.1",
        "::127.0.0.1",
        "64:ff9b::7f00:1",
        "64:ff9b:1::a00:1",
        "2002:7f00:1::",
        "2002:a9fe:a9fe::",
        "2001::1",
        "2001:db8::1",
    ],
)
def test_non_public_addresses_and_their_ipv6_wrappings_are_forbidden(address: str) -> None:
    ip = parse_host_address(address)
    assert ip is not None
    assert is_forbidden(ip)


@pytest.mark.parametrize(
    "address",
    [
        "93.184.216.34",
        "8.8.8.8",
        "2606:4700::1111",
        "::ffff:8.8.8.8",
        "64:ff9b::808:808",
        "2002:808:808::",
    ],
)
def test_public_addresses_and_their_wrappings_are_allowed(address: str) -> None:
    ip = parse_host_address(address)
    assert ip is not None
    assert not is_forbidden(ip)


def test_allow_list_matches_host_with_any_port_or_exact_port() -> None:
    allow = AllowList.parse("CMS.Newsroom.internal, 10.0.0.5:8080, [fd00::5]:443")
    assert allow.allows("cms.newsroom.internal", 80)
    assert allow.allows("10.0.0.5", 8080)
    assert allow.allows("0xa000005", 8080)
    assert not allow.allows("10.0.0.5", 80)
    assert allow.allows("fd00::5", 443)
    assert not allow.allows("other.internal", 80)


def test_empty_allow_list_allows_nothing() -> None:
    assert not AllowList.parse("").allows("localhost", 80)
