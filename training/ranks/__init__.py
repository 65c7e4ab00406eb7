"""The agency's rank order: ranks and their seniority, kept by agency administrators (used by case assignment)."""
