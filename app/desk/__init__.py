"""The desk: server-rendered pages where journalists browse events and processes, read the
evidence in its article, review and correct records, and export what they see."""
