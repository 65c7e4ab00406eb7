"""The incident and complaint log: the record, its form, pages, reads and writes."""
