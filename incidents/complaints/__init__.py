"""Public complaints: intake without an account, tracking numbers, the complainant's contact and status page."""
