"""API keys: `parley keys create|list|revoke`, only hashes stored, scope rules."""

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlmodel import Session, select
from typer.testing import CliRunner

from app.auth.keys import Scope, find_key, grants, hash_key, split_key
from app.auth.tables import ApiKey
from app.cli import cli
from app.config import get_settings
from app.db.engine import make_engine


@pytest.fixture
def runner(database_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[CliRunner]:
    """Runs `parley` against the test database."""
    monkeypatch.setenv("PARLEY_DATABASE_URL", database_url)
    get_settings.cache_clear()
    yield CliRunner()
    get_settings.cache_clear()


def stored_keys(database_url: str) -> list[ApiKey]:
    """Every api_key row."""
    engine = make_engine(database_url)
    with Session(engine) as session:
        rows = list(session.exec(select(ApiKey)).all())
    engine.dispose()
    return rows


def test_create_prints_the_key_last_and_stores_only_its_hash(
    runner: CliRunner, database_url: str
) -> None:
    result = runner.invoke(cli, ["keys", "create", "--scope", "ingest", "--name", "newsroom"])
    assert result.exit_code == 0, result.output
    key = result.stdout.strip().splitlines()[-1]
    assert split_key(key) is not None
    (row,) = stored_keys(database_url)
    assert row.key_hash == hash_key(key)
    assert key not in (row.key_hash, row.prefix, row.name, row.scopes)
    assert (row.name, row.scopes, row.prefix) == ("newsroom", "ingest", key.split("_")[1])


def test_create_accepts_several_scopes_and_refuses_unknown_ones(
    runner: CliRunner, database_url: str
) -> None:
    ok = runner.invoke(cli, ["keys", "create", "--scope", "read", "--scope", "ingest"])
    bad = runner.invoke(cli, ["keys", "create", "--scope", "superuser"])
    assert ok.exit_code == 0
    assert bad.exit_code != 0
    assert [k.scopes for k in stored_keys(database_url)] == ["ingest read"]


def test_list_shows_prefixes_never_secrets_and_revoke_marks_the_key(
    runner: CliRunner, database_url: str
) -> None:
    key = runner.invoke(cli, ["keys", "create", "--scope", "read"]).stdout.strip().splitlines()[-1]
    prefix = key.split("_")[1]
    revoked = runner.invoke(cli, ["keys", "revoke", prefix])
    assert revoked.exit_code == 0, revoked.output
    listing = runner.invoke(cli, ["keys", "list"]).output
    assert prefix in listing
    assert "revoked" in listing
    assert key.split("_", 2)[2] not in listing
    again = runner.invoke(cli, ["keys", "revoke", prefix])
    assert again.exit_code == 2


def test_find_key_matches_the_whole_key_not_just_its_prefix(
    runner: CliRunner, database_url: str
) -> None:
    key = runner.invoke(cli, ["keys", "create", "--scope", "read"]).stdout.strip().splitlines()[-1]
    engine = make_engine(database_url)
    with Session(engine) as session:
        assert find_key(session, key) is not None
        assert find_key(session, key[:-1] + ("A" if key[-1] != "A" else "B")) is None
        assert find_key(session, "not-a-key") is None
    engine.dispose()


@pytest.mark.parametrize(
    ("held", "needed", "allowed"),
    [
        ({Scope.ADMIN}, Scope.READ, True),
        ({Scope.ADMIN}, Scope.INGEST, True),
        ({Scope.INGEST}, Scope.READ, False),
        ({Scope.READ}, Scope.INGEST, False),
        ({Scope.READ, Scope.INGEST}, Scope.ADMIN, False),
    ],
)
def test_admin_implies_every_scope_and_others_only_themselves(
    held: set[Scope], needed: Scope, allowed: bool
) -> None:
    assert grants(frozenset(held), needed) is allowed


def test_malformed_keys_are_rejected_before_any_lookup() -> None:
    assert split_key("pk_abc_short") is None
    assert split_key("sk_0a1b2c3d_" + "x" * 43) is None
    assert split_key("pk_0a1b2c3d_" + "x" * 43) == ("0a1b2c3d", "x" * 43)


def test_listing_keys_where_no_database_exists_names_its_path_and_creates_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("PARLEY_DATABASE_URL", "sqlite:///./parley.db")
    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(cli, ["keys", "list"])
    finally:
        get_settings.cache_clear()

    assert result.exit_code == 2
    assert str(tmp_path / "parley.db") in result.output
    assert not (tmp_path / "parley.db").exists()
