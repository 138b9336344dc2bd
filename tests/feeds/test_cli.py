"""`parley feeds add|list|remove`: the CLI face of registered, polled feeds."""

import json

from dbos import DBOS

from app.config import get_settings
from app.feeds.polling import schedule_name
from app.pipeline.queue import dbos_config
from tests.support.cli import parley
from tests.support.loopback import LoopbackServer, send


def feed_schedules() -> list[str]:
    """The feed schedules in the test's DBOS system database, read with a short-lived DBOS."""
    DBOS(config=dbos_config(get_settings()))
    DBOS.launch()
    try:
        found = DBOS.list_schedules(schedule_name_prefix="parley-feed-")
        return [s["schedule_name"] for s in found]
    finally:
        DBOS.destroy(destroy_registry=False)


def test_add_registers_the_feed_and_list_shows_it(environment: str, site: LoopbackServer) -> None:
    added = parley("feeds", "add", site.url("/peace/feed"), "--every", "30m")

    assert added.exit_code == 0, added.output
    report = json.loads(added.stdout)
    assert (report["every"], report["new"]) == ("30m", 3)
    listed = json.loads(parley("feeds", "list", "--json").stdout)
    assert [(f["id"], f["every"], f["items_new"]) for f in listed] == [
        (report["feed_id"], "30m", 3)
    ]
    table = parley("feeds", "list").stdout.splitlines()
    assert table[0].startswith("id\tevery")
    assert table[1].startswith(f"{report['feed_id']}\t30m\t3\t0\t0\t")
    assert schedule_name(report["feed_id"]) in feed_schedules()


def test_remove_stops_the_feed(environment: str, site: LoopbackServer) -> None:
    feed_id = json.loads(parley("feeds", "add", site.url("/peace/feed")).stdout)["feed_id"]

    removed = parley("feeds", "remove", str(feed_id))

    assert removed.exit_code == 0, removed.output
    assert json.loads(parley("feeds", "list", "--json").stdout) == []
    assert schedule_name(feed_id) not in feed_schedules()


def test_an_interval_cron_cannot_keep_is_refused_with_the_allowed_forms(
    environment: str, site: LoopbackServer
) -> None:
    result = parley("feeds", "add", site.url("/peace/feed"), "--every", "7m")

    assert result.exit_code == 2
    assert "15m" in result.output
    assert json.loads(parley("feeds", "list", "--json").stdout) == []


def test_removing_an_unknown_feed_exits_2(environment: str) -> None:
    result = parley("feeds", "remove", "42")

    assert result.exit_code == 2
    assert "feed 42 not found" in result.output


def test_a_feed_down_right_now_is_registered_with_its_error_and_polled_later(
    environment: str, site: LoopbackServer
) -> None:
    site.routes["/down/feed"] = lambda h: send(h, status=503, body=b"maintenance")

    added = parley("feeds", "add", site.url("/down/feed"), "--every", "1h")

    assert added.exit_code == 0, added.output
    report = json.loads(added.stdout)
    assert "503" in report["unreachable"]
    (listed,) = json.loads(parley("feeds", "list", "--json").stdout)
    assert listed["id"] == report["feed_id"]
    assert "503" in listed["last_error"]
    assert schedule_name(report["feed_id"]) in feed_schedules()


def test_a_feed_that_does_not_exist_is_refused(environment: str, site: LoopbackServer) -> None:
    site.routes["/gone/feed"] = lambda h: send(h, status=404, body=b"not here")

    added = parley("feeds", "add", site.url("/gone/feed"))

    assert added.exit_code == 2
    assert "404" in added.output
    assert json.loads(parley("feeds", "list", "--json").stdout) == []
