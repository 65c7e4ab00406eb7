"""Organisations and contacts an agency works with (consulates, legal aid, faith groups, schools, media)."""
