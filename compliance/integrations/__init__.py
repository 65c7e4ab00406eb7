"""The agency administrator's integrations pages (issue #15 item 3): create an integration of a jail management
system (its token shown once), revoke it, its webhook address and secret, and what was delivered to it."""
