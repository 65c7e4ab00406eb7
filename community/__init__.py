"""Community outreach: meetings, steering-committee sessions, presentations and their follow-ups (R3.6)."""
