"""Accounts: signing in with two factors, lockout, sessions, and the agency administrator's user pages.

Built on django-allauth (sign-in, password reset, MFA, one's own sessions) and django-axes (lockout);
this package holds only what the agency adds: who may sign up (nobody: people are invited), the rule
that no record is reached before the second factor (``middleware``), and the pages to manage people.
"""
