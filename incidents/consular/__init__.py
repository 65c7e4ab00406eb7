"""Consular notification of a detained foreign national: country list, record, check, sweep (R5.4–R5.7)."""
