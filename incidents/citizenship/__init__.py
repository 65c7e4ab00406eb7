"""U.S.-citizenship claims on a detainer: the STOP state, escalation to ICE and resolution (R5.1–R5.3)."""
