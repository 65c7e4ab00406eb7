"""Detainer-log import: historical facility-level detainer events (no personal data) from a CSV or XLSX file."""
