"""Importers of public reference data into the core: ICE's list of 287(g) agencies, U.S. state names."""
