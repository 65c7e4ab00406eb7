"""The ground floor every app builds on: core models, access and roles, audit history, findings, shared helpers."""
