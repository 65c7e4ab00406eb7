"""Per-agreement training requirements: shipped defaults, administrator edits, the expiries they give."""
