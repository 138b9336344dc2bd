"""The README documents every setting, and names no setting that does not exist."""

import re

from pydantic import AliasChoices

from app.config import Settings
from tests.support.corpus import TESTS

README = (TESTS.parent / "README.md").read_text(encoding="utf-8")
# Variables the README names for the test suite and CI, not for the service.
NOT_SETTINGS = {"PARLEY_TEST_DATABASE_URL", "PARLEY_SHARED_DIR", "PARLEY_SOAK_KILLS"}


def variable(field: str) -> str:
    """The environment variable a setting is read from (its first alias, if it has any)."""
    alias = Settings.model_fields[field].validation_alias
    if isinstance(alias, AliasChoices):
        return str(alias.choices[0])
    return f"PARLEY_{field.upper()}"


def test_every_setting_is_documented_in_the_readme() -> None:
    missing = [variable(f) for f in Settings.model_fields if f"`{variable(f)}`" not in README]

    assert missing == []


def test_every_variable_the_readme_names_is_a_setting() -> None:
    named = set(re.findall(r"\bPARLEY_[A-Z0-9_]+\b", README)) - NOT_SETTINGS
    known = {variable(f) for f in Settings.model_fields}

    assert named - known == set()
