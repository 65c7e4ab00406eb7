"""Referrals of a case to ICE OPR / the Joint Intake Center, DHS OIG or CRCL, with their deadlines."""
