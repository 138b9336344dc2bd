"""Short articles, written for these tests, whose sentences open or close with quote marks;
the way a model respells those marks; and the exact-evidence check (SPEC §2)."""

from collections.abc import Iterable, Mapping
from typing import Any

# Opening and closing marks as newsrooms write them.
QUOTE_PAIRS = [("“", "”"), ("«", "»"), ("„", "“"), ("‘", "’"), ("‹", "›"), ('"', '"'), ("'", "'")]

# Each article and the sentences of it (marks included) that report a development.
ARTICLES: list[tuple[str, list[str]]] = [
    (
        "“Sudan and the Rapid Support Forces agreed a ceasefire in Jeddah,” the mediator told "
        "reporters on Monday.\n\nIt was the third attempt this year.",
        [
            "“Sudan and the Rapid Support Forces agreed a ceasefire in Jeddah,” the mediator told "
            "reporters on Monday."
        ],
    ),
    (
        "A ministry spokesman spoke on Tuesday.\n\n«The truce between Armenia and Azerbaijan "
        "will be extended by a week.»\n\nNo date was given for new talks.",
        ["«The truce between Armenia and Azerbaijan will be extended by a week.»"],
    ),
    (
        "'Ukraine and Russia exchanged 90 prisoners of war,' the ministry said on Friday.",
        ["'Ukraine and Russia exchanged 90 prisoners of war,' the ministry said on Friday."],
    ),
    (
        "Negotiators from Colombia and the ELN said talks would resume in Havana, calling the "
        'pause "temporary".',
        [
            "Negotiators from Colombia and the ELN said talks would resume in Havana, calling "
            'the pause "temporary".'
        ],
    ),
    (
        "Officials spoke of progress. ‘Israel and Hamas agreed to extend the truce by two "
        "days.’ Aid lorries waited at the crossing.",
        ["‘Israel and Hamas agreed to extend the truce by two days.’"],
    ),
]

_STRAIGHT = str.maketrans(dict.fromkeys("“”«»„", '"') | dict.fromkeys("‘’‹›", "'"))


def straightened(text: str) -> str:
    """`text` with every quote mark typed as a straight one, as a model often writes it."""
    return text.translate(_STRAIGHT)


def inexact(text: str, evidence: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The evidence items for which `text[start:end]` is not exactly the quote."""
    return [
        {**item, "span": text[item["start"] : item["end"]]}
        for item in evidence
        if text[item["start"] : item["end"]] != item["quote"]
    ]
