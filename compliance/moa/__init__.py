"""The agreement (MOA) as a checklist of requirements with evidence (issue #15 items 1–2): the shipped templates per
model, the evidence evaluators, the stored status and its changes, the checklist pages and inspection readiness."""
