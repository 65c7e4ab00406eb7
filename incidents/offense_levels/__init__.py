"""Detainers by offense level and minor-offense-only ones: counts, chart, page (R3.3; GAO-09-109)."""
