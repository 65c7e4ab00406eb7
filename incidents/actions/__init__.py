"""The log of 287(g) actions taken on a detainer: record, refusals and checks (R1.6, R3.4, R3.8, R3.10)."""
