"""Retention purge bench: ``DATABASE_URL=postgres://… .venv/bin/python bench/retention_bench.py [--detainers N]``.

How long the nightly purge (``compliance.retention.purge``) takes to anonymise N expired detainers in every copy
(main row saved with history, earlier history rows rewritten, marks, the audit row), against a reference measured
in the same run on the same machine: saving each of the same N detainers once with its history (what an ordinary
edit of every record costs). Only the ratio is stable on a shared machine. Also: that a second run finds
nothing to do. No budget is set by the issue; docs/performance.md records the figures.
"""

from __future__ import annotations

import sys
from datetime import UTC, datetime, timedelta

import harness  # sets up Django first

OUTCOME_AT = datetime(2026, 1, 8, 15, 0, tzinfo=UTC)
PURGE_AT = OUTCOME_AT + timedelta(days=5 * 365 + 1)


def add_arguments(parser):
    parser.add_argument("--detainers", type=int, default=2000, help="expired detainers to purge (default 2000)")


def build(n: int):
    """One agency, ``n`` ended detainers, each with two history rows (created, then edited)."""
    from simple_history.utils import bulk_create_with_history

    from compliance.core.models import Agency, User
    from compliance.core.privacy.fake_data import fake_a_number
    from incidents.detainers.models import Detainer

    agency = Agency.objects.create(
        name="Bench Retention County", state="TX", county="Bench", time_zone="America/Chicago"
    )
    user = User.objects.create_user("bench_clerk", "clerk@bench.example", "bench-password-not-secret")
    rows = [
        Detainer(
            agency=agency,
            subject_last_name=f"Benchsubject{k}",
            subject_first_name="Invented",
            a_number=fake_a_number(k),
            booking_number=f"BB-{k:06d}",
            underlying_charge="Invented charge",
            received_at=OUTCOME_AT - timedelta(days=2),
            outcome=Detainer.Outcome.RELEASED,
            outcome_at=OUTCOME_AT,
        )
        for k in range(n)
    ]
    for start in range(0, n, 1000):
        bulk_create_with_history(rows[start : start + 1000], Detainer, default_user=user)
    return agency, list(Detainer.objects.filter(agency=agency).order_by("pk"))


def bench(args, database) -> bool:
    from django.db import transaction

    from compliance.core.audit import acting_as
    from compliance.core.system_account import system_user
    from compliance.retention.purge import retention_purge_agencies

    agency, detainers = build(args.detainers)
    n = len(detainers)

    def reference():
        # Every detainer saved once with history, in batches of 200 like the purge (the same transactions).
        with acting_as(system_user()):
            for start in range(0, n, 200):
                with transaction.atomic():
                    for detainer in detainers[start : start + 200]:
                        detainer.underlying_charge = "Invented charge (edited)"
                        detainer.save()

    ref = harness.measure_job(reference)
    purge = harness.measure_job(lambda: retention_purge_agencies([agency.pk], PURGE_AT))
    again = harness.measure_job(lambda: retention_purge_agencies([agency.pk], PURGE_AT))
    purged = sum(row.purged for row in purge.result if row.kind == "detainer-subject")
    print(f"detainers: {n}")
    print(f"reference (save each with history): {ref.seconds:.2f} s")
    print(f"purge: {purge.seconds:.2f} s, {purged} purged")
    print(f"ratio purge / reference: {purge.seconds / ref.seconds:.2f}")
    print(f"second run: {again.seconds:.2f} s, {sum(r.purged for r in again.result)} purged")
    failed = purged != n or sum(r.purged for r in again.result) != 0
    return harness.report_target("every expired detainer purged once, nothing on the second run", not failed)


if __name__ == "__main__":
    sys.exit(harness.run(__doc__, add_arguments, bench))
