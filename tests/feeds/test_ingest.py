"""`parley ingest`: a text file, a feed file, an article URL or a feed URL, into the database."""

import json
from pathlib import Path

import pytest

from tests.support.cli import parley
from tests.support.databases import stored_articles
from tests.support.loopback import LoopbackServer
from tests.support.news_site import FEEDS, localised, requested

TEXT = (
    "The government and the rebel coalition agreed on Tuesday to a 30-day ceasefire starting "
    "Friday, after four days of talks mediated by Qatar, the mediators said in a statement."
)


def test_a_text_file_becomes_a_queued_article(environment: str, tmp_path: Path) -> None:
    path = tmp_path / "doha-talks.txt"
    path.write_text(TEXT, encoding="utf-8")

    result = parley("ingest", str(path))

    assert result.exit_code == 0, result.output
    output = json.loads(result.stdout)
    assert (output["kind"], output["status"]) == ("article", "queued")
    (article,) = stored_articles(environment)
    assert (article.id, article.text, article.title) == (output["id"], TEXT, "doha-talks")
    assert article.status == "queued"


def test_the_same_text_file_twice_is_one_article(environment: str, tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    path.write_text(TEXT, encoding="utf-8")
    first = json.loads(parley("ingest", str(path)).stdout)

    again = json.loads(parley("ingest", str(path)).stdout)

    assert (again["status"], again["id"]) == ("duplicate", first["id"])
    assert len(stored_articles(environment)) == 1


def test_wait_processes_the_article_here_and_prints_the_records_count(
    environment: str, tmp_path: Path
) -> None:
    path = tmp_path / "a.txt"
    path.write_text(TEXT, encoding="utf-8")

    result = parley("ingest", str(path), "--wait", "--timeout", "60")

    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["records"] >= 1
    (article,) = stored_articles(environment)
    assert article.status == "done"


def test_a_feed_file_is_read_as_a_feed(
    environment: str, site: LoopbackServer, tmp_path: Path
) -> None:
    path = tmp_path / "feed.xml"
    path.write_bytes(localised("wordpress_rss2.xml", site))

    result = parley("ingest", str(path))

    assert result.exit_code == 0, result.output
    output = json.loads(result.stdout)
    assert (output["kind"], output["new"], output["duplicate"]) == ("feed", 3, 0)
    sources = [a.source for a in stored_articles(environment)]
    assert sources == ["Peace Archives - The Defense Post"] * 3


def test_a_feed_url_is_fetched_and_read_as_a_feed(environment: str, site: LoopbackServer) -> None:
    result = parley("ingest", site.url("/peace/feed"))

    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["new"] == 3


def test_an_article_url_is_fetched_once_and_stored_with_its_text(
    environment: str, site: LoopbackServer
) -> None:
    result = parley("ingest", site.url("/story?utm_source=x"))

    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["status"] == "queued"
    (article,) = stored_articles(environment)
    assert "prisoner releases" in (article.text or "")
    assert article.canonical_url == site.url("/story")
    assert requested(site, "/story") == 1


def test_a_file_of_several_stories_is_refused_with_how_to_send_them(
    environment: str, tmp_path: Path
) -> None:
    path = tmp_path / "dump.txt"
    stories = [f"Story {i}\nhttps://news.test/story-{i}\n\n{TEXT}" for i in range(1, 11)]
    path.write_text("\n\n".join(stories), encoding="utf-8")

    result = parley("ingest", str(path))

    assert result.exit_code == 2
    assert "holds 10 articles" in result.output
    assert "one article per text file" in result.output
    assert "parley ingest FEED_URL" in result.output
    assert stored_articles(environment) == []


@pytest.mark.parametrize(
    ("target", "message"),
    [
        ("missing.txt", "No such file"),
        ("http://10.0.0.1/feed", "not publicly routable"),
        (str(FEEDS / "entity_bomb.xml"), "unsafe XML"),
    ],
)
def test_expected_failures_print_one_line_and_exit_1(
    environment: str, target: str, message: str
) -> None:
    result = parley("ingest", target)

    assert result.exit_code == 2
    assert message in result.output
    assert "Traceback" not in result.output
