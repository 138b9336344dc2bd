"""One short article and the record an LLM would give for it, for tests that need any."""

from typing import Any

TEXT = (
    "Turkey said Somalia and Ethiopia made “notable progress” on the second round of talks in "
    "Ankara on Tuesday.\n\nThe next round of talks is scheduled for September 17 in Ankara, "
    "Fidan said."
)

RECORD: dict[str, Any] = {
    "kind": "negotiation",
    "status": "ongoing",
    "summary": "Somalia and Ethiopia held a second round of Turkish-mediated talks in Ankara.",
    "parties": [
        {"name": "Somalia", "kind": "state", "country": "Somalia"},
        {"name": "Ethiopia", "kind": "state", "country": "ET"},
    ],
    "mediators": [{"name": "Türkiye", "kind": "state", "country": "Türkiye", "role": "mediator"}],
    "location": {"name": "Ankara", "country": "Turkey"},
    "date": "2024-08-13",
    "round": 2,
    "evidence": ['made "notable progress" on the second round of talks in Ankara'],
}
