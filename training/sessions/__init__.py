"""Training sessions: schedule a class, enroll officers, record results, issue certifications (R2.2)."""
