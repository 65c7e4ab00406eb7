"""Template tags of the compliance app: ``agency_time`` (datetimes in an agency's time zone)."""
