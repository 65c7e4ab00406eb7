"""Roster import: officers and certifications from a CSV or XLSX file, previewed row by row, then confirmed."""
