"""The ways in: a recorded set (offline) and a live session, both run by one engine."""
