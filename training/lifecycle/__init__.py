"""An officer's lifecycle: status changes with effective dates, nomination checklist, exams (R2.2, R2.7–R2.9)."""
