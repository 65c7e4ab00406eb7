"""The roster: officers, courses, certifications, training status and authorization on a day (R2.4, R2.7)."""
