"""Where a person's review of a record stands: shared by the records table and API shapes."""

from enum import StrEnum


class ReviewState(StrEnum):
    """Where a person's review of a record stands (SPEC §6)."""

    UNREVIEWED = "unreviewed"
    APPROVED = "approved"
    CORRECTED = "corrected"
    REJECTED = "rejected"
