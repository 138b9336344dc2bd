"""Events and processes: the reports of one development joined into one event, and events into
the timeline of their peace process (SPEC §5)."""
