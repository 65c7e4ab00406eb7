"""Reads for detainers: one detainer for a page (404 outside scope), the scoped list, the supervisors to e-mail.

Scoped through ``compliance.core.access``; each selector does its joins here so
templates cannot cause a query per row. The e-mail list serves the hold-deadline,
release-notice, no-warrant, citizenship and consular alerts.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db.models import Case, F, IntegerField, Q, QuerySet, Value, When
from guardian.utils import get_group_obj_perms_model, get_user_obj_perms_model

from compliance.core import access
from compliance.core.findings import OPEN_STATUSES
from compliance.core.models import Agency, Finding
from incidents.detainers.models import Detainer
from incidents.detainers.subject_index import a_number_index, a_number_q
from incidents.detainers.validators import a_number_normalise


def held_past_deadline_q(at) -> Q:
    """Detainers held past their 48-hour hold deadline as judged at ``at`` (aware): ``checks.check_hold_deadline``
    failing on its deadline, as a query filter (R4.7–R4.8).

    A deadline is known (``hold_deadline``; none on an I-247N, which never authorizes a hold: R4.1) and either
    custody ended (an outcome with its time) after it, or no outcome time is recorded and ``at`` is past it. The
    same answer as ``check_hold_deadline`` and the detainer log's ``release_against_deadline`` (late or still
    held); tests compare them detainer by detainer.
    """
    ended = ~Q(outcome=Detainer.Outcome.PENDING) & Q(outcome_at__isnull=False)
    return Q(hold_deadline__isnull=False) & (
        (ended & Q(outcome_at__gt=F("hold_deadline"))) | (~ended & Q(hold_deadline__lt=at))
    )


def detainer_or_404(user, public_id, *, related: tuple[str, ...] = ("agency",)) -> Detainer:
    """The detainer ``public_id`` if ``user`` may view records of its agency, with ``related`` joined.

    Every detainer page reaches its record through here (``compliance.core.access``, case A1).

    Raises:
        Http404: no such detainer, or one of an agency outside the user's ``view_records`` scope
            (indistinguishable on purpose: another agency's record answers 404, never 403).
    """
    return access.get_scoped_or_404(Detainer.objects.select_related(*related), user, access.VIEW, public_id=public_id)


def detainers_for(user, *, perm: str = access.VIEW) -> QuerySet[Detainer]:
    """Detainers of every agency where ``user`` holds ``perm``, open ones first by nearest hold deadline.

    Order: the detainer log's (``incidents.detainer_log.paging``): open (outcome pending) before
    closed; open by ``hold_deadline`` ascending (no deadline yet last); then newest received
    first, ties by ``public_id`` descending. Agency and handling officer are joined.

    Not for pages of the log: this order sorts every row (no index holds it since
    migration 0011). The log page reads keyset pages through
    ``incidents.detainer_log.paging.detainer_log_page``, index ranges with LIMIT.
    """
    pending = Detainer.Outcome.PENDING
    return (
        access.scope(Detainer.objects.all(), user, perm)
        .select_related("agency", "handling_officer")
        .order_by(
            Case(When(outcome=pending, then=Value(0)), default=Value(1), output_field=IntegerField()),
            F("hold_deadline").asc(nulls_last=True),
            "-received_at",
            "-public_id",
        )
    )


def open_findings_by_detainer(detainers: Iterable[Detainer], *, kinds: Iterable[str]) -> dict[int, dict[str, Finding]]:
    """The open or acknowledged findings of ``kinds`` of each detainer: ``{detainer pk: {kind: finding}}``.

    For list pages (the custody board shows a row's open U.S.-citizenship claim finding, R5.1):
    one query whatever the number of detainers. Detainers with none are absent.
    """
    ids = [detainer.pk for detainer in detainers]
    if not ids:
        return {}
    rows = Finding.objects.filter(
        content_type=ContentType.objects.get_for_model(Detainer),
        object_id__in=ids,
        kind__in=list(kinds),
        status__in=OPEN_STATUSES,
    )
    found: dict[int, dict[str, Finding]] = defaultdict(dict)
    for finding in rows:
        found[finding.object_id][finding.kind] = finding
    return dict(found)


def agency_supervisor_emails(agency_ids: Iterable[int]) -> dict[int, list[str]]:
    """E-mail addresses of the active users holding ``review_records`` on each agency.

    Args:
        agency_ids: primary keys of ``compliance.Agency`` rows.

    Returns:
        ``{agency id: sorted addresses}``; agencies with nobody to tell are absent.
        Two queries whatever the number of agencies (direct and group object
        permissions), so the deadline sweep does not grow per agency.
    """
    keys = [str(pk) for pk in set(agency_ids)]
    if not keys:
        return {}
    agency_type = ContentType.objects.get_for_model(Agency)
    common = {"content_type": agency_type, "permission__codename": access.REVIEW, "object_pk__in": keys}
    direct = (
        get_user_obj_perms_model()
        .objects.filter(user__is_active=True, **common)
        .values_list("object_pk", "user__email")
    )
    via_group = (
        get_group_obj_perms_model()
        # One filter() call: the active user and the address are the same joined user.
        .objects.filter(group__user__is_active=True, **common)
        .values_list("object_pk", "group__user__email")
    )
    found: dict[int, set[str]] = defaultdict(set)
    for rows in (direct, via_group):
        for object_pk, email in rows:
            if email:
                found[int(object_pk)].add(email)
    return {pk: sorted(emails) for pk, emails in found.items()}


def subject_detainers(*, agency_ids: Iterable[int], number: str) -> list[Detainer]:
    """Every detainer of the subject named by ``number`` in the agencies ``agency_ids`` (a records request).

    THE one exact-match look-up of a subject by A-number or booking number for a records request
    (``compliance.reports.records_request``). A-numbers are encrypted: compared through their blind index
    (``incidents.detainers.subject_index.a_number_q``).

    Args:
        agency_ids: the agencies to look in (the caller's ``compliance.core.access`` scope: the agencies where the
            requester may export); others are never read.
        number: as typed: an A-number (``incidents.detainers.validators.a_number_normalise``: "A", 8 or 9 digits,
            spaces and hyphens ignored) or a booking number (exact, or in capitals).

    Returns:
        The matching detainers, then every detainer in those agencies carrying an A-number one of them carries (the
        same subject booked again, or in another agency), each once, ordered by agency then received time; agency
        joined. A booking number is an agency's own: in two agencies it may name two people, each found. [] when
        nothing matches or ``number`` is blank. Two queries at most.
    """
    agency_ids = list(agency_ids)
    number = (number or "").strip()
    if not number or not agency_ids:
        return []
    try:
        a_number = a_number_normalise(number)
    except ValidationError:
        a_number = ""  # not an A-number: a booking number only
    in_scope = Detainer.objects.filter(agency_id__in=agency_ids).select_related("agency")
    lookup = Q(booking_number=number) | Q(booking_number=number.upper())
    if a_number:
        lookup |= a_number_q(a_number)
    found = list(in_scope.filter(lookup))
    indexes = {detainer.a_number_index for detainer in found if detainer.a_number_index} - {a_number_index(a_number)}
    if indexes:
        found.extend(in_scope.filter(a_number_index__in=indexes).exclude(pk__in=[d.pk for d in found]))
    return sorted(found, key=lambda detainer: (detainer.agency_id, detainer.received_at, detainer.pk))
