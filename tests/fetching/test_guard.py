"""The SSRF guard against real loopback servers: refused URLs never reach the decoy."""

from collections.abc import Iterator

import httpx
import pytest

from app.fetching.addresses import IPAddress, parse_host_address
from app.fetching.allowlist import AllowList
from app.fetching.client import FetchPolicy, fetch
from app.fetching.errors import ForbiddenURL, UpstreamError
from app.fetching.guard import GuardedTransport
from tests.support.loopback import LoopbackOnlyBackend, LoopbackServer, redirect_to

PUBLIC_IP = "93.184.216.34"

# Every one of these spells the decoy on 127.0.0.1:{port} (or loopback) in some way.
LOOPBACK_SPELLINGS = [
    "http://127.0.0.1:{port}/",
    "https://127.0.0.1:{port}/",
    "http://localhost:{port}/",
    "http://LOCALHOST:{port}/",
    "http://localhost.:{port}/",
    "http://decoy.localhost:{port}/",
    "http://2130706433:{port}/",
    "http://0x7f000001:{port}/",
    "http://0x7f.0.0.1:{port}/",
    "http://0x7f.0x0.0x0.0x1:{port}/",
    "http://127.1:{port}/",
    "http://127.0.1:{port}/",
    "http://017700000001:{port}/",
    "http://0177.0.0.1:{port}/",
    "http://127.0.0.1.:{port}/",
    "http://127.127.127.127:{port}/",
    "http://[::1]:{port}/",
    "http://[::ffff:127.0.0.1]:{port}/",
    "http://[::ffff:7f00:1]:{port}/",
    "http://[0:0:0:0:0:ffff:127.0.0.1]:{port}/",
    "http://[::127.0.0.1]:{port}/",
    "http://[64:ff9b::127.0.0.1]:{port}/",
    "http://[2002:7f00:1::]:{port}/",
    "http://0.0.0.0:{port}/",
    "http://0:{port}/",
    "http://[::]:{port}/",
    "http://user:pass@127.0.0.1:{port}/",
    "http://example.com@127.0.0.1:{port}/",
    "http://127.0.0.1:{port}@example.com/",
    "ftp://127.0.0.1:{port}/",
    "file:///etc/passwd",
    "gopher://127.0.0.1:{port}/_GET",
    "http:///{port}",
    "//127.0.0.1:{port}/",
]

# Private addresses no test may ever send a packet to: fetched through a loopback-only backend.
PRIVATE_URLS = [
    "http://10.0.0.1/",
    "http://172.16.0.1/",
    "http://192.168.1.1/",
    "http://169.254.169.254/latest/meta-data/",
    "http://100.64.0.1/",
    "http://224.0.0.1/",
    "http://240.0.0.1/",
    "http://255.255.255.255/",
    "http://192.0.0.8/",
    "http://198.18.0.1/",
    "http://[fe80::1]/",
    "http://[fc00::1]/",
    "http://[fd12:3456::1]/",
    "http://[ff02::1]/",
    "http://[::ffff:10.0.0.1]/",
    "http://[::ffff:169.254.169.254]/",
    "http://[64:ff9b::a9fe:a9fe]/",
    "http://[2002:a9fe:a9fe::1]/",
    "http://[2001:0:4136:e378:8000:63bf:3fff:fdd2]/",
    "http://0xa9fea9fe/",
    "http://2852039166/",
]


@pytest.fixture
def decoy() -> Iterator[LoopbackServer]:
    with LoopbackServer() as server:
        yield server


@pytest.fixture
def public_site() -> Iterator[LoopbackServer]:
    with LoopbackServer() as server:
        yield server


def test_at_least_thirty_spellings_of_loopback_are_listed() -> None:
    assert len(LOOPBACK_SPELLINGS) + len(PRIVATE_URLS) >= 50
    assert len(LOOPBACK_SPELLINGS) >= 30


@pytest.mark.parametrize("template", LOOPBACK_SPELLINGS)
async def test_loopback_spelling_is_refused_and_decoy_receives_nothing(
    decoy: LoopbackServer, template: str
) -> None:
    with pytest.raises(ForbiddenURL) as refused:
        await fetch(template.format(port=decoy.port), FetchPolicy(timeout_seconds=5))
    assert refused.value.status_code == 422
    assert decoy.received == []


@pytest.mark.parametrize("url", PRIVATE_URLS)
async def test_private_address_is_refused_before_any_connection(url: str) -> None:
    backend = LoopbackOnlyBackend()
    with pytest.raises(ForbiddenURL, match="not publicly routable"):
        await fetch(url, FetchPolicy(), transport=GuardedTransport(inner=backend))
    assert backend.connects == []


async def test_refusal_names_the_address() -> None:
    with pytest.raises(ForbiddenURL, match=r"address 127\.0\.0\.1 is not publicly routable"):
        await fetch("http://2130706433/", FetchPolicy())


async def test_transport_alone_refuses_loopback_without_url_validation(
    decoy: LoopbackServer,
) -> None:
    async with httpx.AsyncClient(transport=GuardedTransport()) as client:
        with pytest.raises(ForbiddenURL):
            await client.get(decoy.url())
    assert decoy.received == []


async def test_hostname_resolving_to_loopback_is_refused_at_connect(decoy: LoopbackServer) -> None:
    async def resolver(host: str, port: int) -> list[IPAddress]:
        return [parse_host_address("127.0.0.1")]  # type: ignore[list-item]

    transport = GuardedTransport(resolver=resolver)
    with pytest.raises(ForbiddenURL, match="not publicly routable") as refused:
        await fetch(decoy.url(host="innocent.example"), FetchPolicy(), transport=transport)
    assert decoy.received == []
    # A stranger learns that the host is refused, not what it resolves to.
    assert "innocent.example" in refused.value.message
    assert "127.0.0.1" not in refused.value.message


async def test_allow_listed_host_and_port_is_fetched(decoy: LoopbackServer) -> None:
    policy = FetchPolicy(allow=AllowList.parse(f"127.0.0.1:{decoy.port}"))
    fetched = await fetch(decoy.url("/page"), policy)
    assert fetched.status_code == 200
    assert b"hello" in fetched.body
    assert [r.path for r in decoy.received] == ["/page"]


async def test_allow_list_entry_with_port_does_not_open_other_ports(decoy: LoopbackServer) -> None:
    policy = FetchPolicy(allow=AllowList.parse(f"127.0.0.1:{decoy.port + 1}"))
    with pytest.raises(ForbiddenURL):
        await fetch(decoy.url(), policy)
    assert decoy.received == []


@pytest.mark.parametrize(
    "target",
    [
        "http://127.0.0.1:{b}/secret",
        "http://localhost:{b}/secret",
        "http://2130706433:{b}/secret",
        "http://[::ffff:127.0.0.1]:{b}/secret",
        "file:///etc/passwd",
        "ftp://127.0.0.1:{b}/secret",
        "http://user:pw@127.0.0.1:{b}/secret",
        "/../secret-on-b",  # relative: stays on A, which is allowed, so followed
    ],
)
async def test_redirect_from_allowed_host_into_private_address_is_refused(
    decoy: LoopbackServer, public_site: LoopbackServer, target: str
) -> None:
    allowed, forbidden = public_site, decoy
    allowed.routes["/go"] = redirect_to(target.format(b=forbidden.port))
    policy = FetchPolicy(allow=AllowList.parse(f"127.0.0.1:{allowed.port}"))
    if target.startswith("/"):
        fetched = await fetch(allowed.url("/go"), policy)
        assert fetched.final_url == allowed.url("/secret-on-b")
    else:
        with pytest.raises(ForbiddenURL):
            await fetch(allowed.url("/go"), policy)
    assert forbidden.received == []


async def test_redirect_chain_into_metadata_address_is_refused(public_site: LoopbackServer) -> None:
    public_site.routes["/a"] = redirect_to("/b", 301)
    public_site.routes["/b"] = redirect_to("http://169.254.169.254/latest/meta-data/", 307)
    backend = LoopbackOnlyBackend()
    policy = FetchPolicy(allow=AllowList.parse(f"127.0.0.1:{public_site.port}"))
    with pytest.raises(ForbiddenURL, match=r"169\.254\.169\.254"):
        await fetch(
            public_site.url("/a"), policy, transport=GuardedTransport(policy.allow, inner=backend)
        )
    assert [r.path for r in public_site.received] == ["/a", "/b"]
    assert all(host == "127.0.0.1" for host, _ in backend.connects)


async def test_more_than_five_redirects_is_an_upstream_error(public_site: LoopbackServer) -> None:
    public_site.routes["/loop"] = redirect_to("/loop")
    policy = FetchPolicy(allow=AllowList.parse(f"127.0.0.1:{public_site.port}"))
    with pytest.raises(UpstreamError, match="more than 5 redirects") as failed:
        await fetch(public_site.url("/loop"), policy)
    assert failed.value.status_code == 502
    assert len(public_site.received) == 6


class RebindingResolver:
    """Answers with a public address first, then with loopback (a DNS rebinding attack)."""

    def __init__(self, *answers: list[str]) -> None:
        self.answers = list(answers)
        self.calls: list[str] = []

    async def __call__(self, host: str, port: int) -> list[IPAddress]:
        self.calls.append(host)
        answer = self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]
        return [ip for ip in map(parse_host_address, answer) if ip is not None]


async def test_dns_rebinding_connects_only_to_the_checked_address(
    decoy: LoopbackServer, public_site: LoopbackServer
) -> None:
    resolver = RebindingResolver([PUBLIC_IP], ["127.0.0.1"])
    backend = LoopbackOnlyBackend(public_to_port={PUBLIC_IP: public_site.port})
    transport = GuardedTransport(resolver=resolver, inner=backend)
    url = f"http://news.example:{decoy.port}/story"

    first = await fetch(url, FetchPolicy(), transport=transport)
    assert first.status_code == 200
    assert backend.connects == [(PUBLIC_IP, decoy.port)]  # the checked IP, never the name
    assert public_site.received[0].headers["Host"] == f"news.example:{decoy.port}"

    with pytest.raises(ForbiddenURL, match=r"news\.example resolves to an address that is not"):
        await fetch(
            url, FetchPolicy(), transport=GuardedTransport(resolver=resolver, inner=backend)
        )
    assert backend.connects == [(PUBLIC_IP, decoy.port)]
    assert decoy.received == []


async def test_any_private_answer_among_several_refuses_the_host(decoy: LoopbackServer) -> None:
    resolver = RebindingResolver([PUBLIC_IP, "127.0.0.1"])
    backend = LoopbackOnlyBackend(public_to_port={PUBLIC_IP: decoy.port})
    with pytest.raises(ForbiddenURL):
        await fetch(
            "http://mixed.example/",
            FetchPolicy(),
            transport=GuardedTransport(resolver=resolver, inner=backend),
        )
    assert backend.connects == []
    assert decoy.received == []
