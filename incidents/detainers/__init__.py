"""The detainer record (I-247A and warrant): its legal checks, hold deadline, alerts and sweeps (R1.6–R1.7, R4)."""
