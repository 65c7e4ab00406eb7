"""The public complaint pages (no account, English and Spanish): file a complaint, see its status by tracking number."""
