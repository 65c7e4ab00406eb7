"""Importers for reference data handed to the app as files (CSV, XLSX)."""
