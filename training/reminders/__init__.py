"""Certification expiry notices: thresholds, daily digests, e-mail and in-app notifications (case T2)."""
