"""Outreach events: who took part, languages, topics, materials, and the event as it stood on an earlier day."""
