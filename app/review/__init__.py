"""Review: people correct, approve and reject records, merge and split events; every change is
kept, append-only, with who, when, before, after and why (SPEC §6)."""
