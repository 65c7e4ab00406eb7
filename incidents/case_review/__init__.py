"""The review workflow of a case: triage, investigation, dispositions, supervisor sign-off, closing and reopening."""
