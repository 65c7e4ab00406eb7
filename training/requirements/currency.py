"""Training currency per course and agreement model: of the designated officers required to hold a course, how
many are current on a day (the measure GAO-21-186 asked ICE to keep; DOMAIN.md R2.4–R2.7).

Which courses an officer must hold is the rule of ``training.requirements.services`` (module docstring):

* an officer whose agreement has requirements, per requirement: the **basic course** counts once completed
  on or before the day; the **refresher** when some completion in the basic-course-and-refresher chain
  covers the day (``completed_on <= day <= expires_on``); an **annual** course when a completion of it
  covers the day;
* any other designated officer (no agreement, or an agreement without requirements yet): each of the
  agency's ``Course.required`` courses, current when a completion of it covers the day. Their rows carry
  the model of no agreement (``""``).

The same day-by-day rule as ``training.roster.authorization.OfficerTraining.training_gap_on`` (tests compare
them officer by officer). Two aggregate queries whatever the number of officers or certifications.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import Count, Exists, F, IntegerField, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce

from training.requirements.models import TrainingRequirement
from training.requirements.services import CHAIN_KINDS
from training.roster.models import Certification, Course, Officer

Kind = TrainingRequirement.Kind


@dataclass(frozen=True)
class CourseCurrency:
    """One course under one agreement model: designated officers required to hold it, and those current.

    ``model`` is an ``AgreementModel`` value ("JEM", "TFM", "WSO") or "" (officers under the agency's
    required courses: no agreement requirements); ``kind`` a ``TrainingRequirement.Kind`` value or ""
    for those. ``course_public_id`` is the course's public id (the roster's course filter).
    """

    model: str
    kind: str
    course_code: str
    course_name: str
    course_public_id: str
    required: int
    current: int

    @property
    def not_current(self) -> int:
        return self.required - self.current

    @property
    def percent(self) -> int:
        """Whole percent of the required officers who are current (0 when none is required)."""
        return round(100 * self.current / self.required) if self.required else 0


def _valid_on(day: date) -> Q:
    return Q(completed_on__lte=day, expires_on__gte=day)


def course_currency(*, agency, today: date) -> list[CourseCurrency]:
    """Training currency of ``agency``'s designated officers on ``today``, per agreement model and course.

    Args:
        agency: a ``compliance.Agency`` the caller already checked the user may view.
        today: the agency-local date (``training.roster.rules.agency_today``).

    Returns:
        ``CourseCurrency`` rows ordered by model (JEM, TFM, WSO, then officers without requirements), then
        by kind (basic, refresher, annual) and course code; only courses some designated officer must
        hold. Rules: module docstring. Two queries.
    """
    designated = Officer.objects.filter(agency=agency, status=Officer.Status.DESIGNATED)
    rows = (
        designated.annotate(
            req_course=F("agreement__training_requirements__course"),
            req_kind=F("agreement__training_requirements__kind"),
        )
        .filter(req_course__isnull=False)
        # Aliases, not annotations: each EXISTS is evaluated only inside the count's FILTER, for its kind's rows.
        .alias(
            basic_done=Exists(
                Certification.objects.filter(
                    officer=OuterRef("pk"), course=OuterRef("req_course"), completed_on__lte=today
                )
            ),
            chain_valid=Exists(
                Certification.objects.filter(
                    _valid_on(today),
                    officer=OuterRef("pk"),
                    course__requirements__agreement=OuterRef("agreement"),
                    course__requirements__kind__in=CHAIN_KINDS,
                )
            ),
            course_valid=Exists(
                Certification.objects.filter(_valid_on(today), officer=OuterRef("pk"), course=OuterRef("req_course"))
            ),
        )
        .order_by()
        .values(
            "req_course",
            "req_kind",
            model=F("agreement__model"),
            code=F("agreement__training_requirements__course__code"),
            name=F("agreement__training_requirements__course__name"),
            course_public_id=F("agreement__training_requirements__course__public_id"),
        )
        .annotate(
            required=Count("pk"),
            current=Count(
                "pk",
                filter=(Q(req_kind=Kind.BASIC) & Q(basic_done=True))
                | (Q(req_kind=Kind.REFRESHER) & Q(chain_valid=True))
                | (Q(req_kind=Kind.ANNUAL) & Q(course_valid=True)),
            ),
        )
    )
    result = [
        CourseCurrency(
            model=row["model"],
            kind=row["req_kind"],
            course_code=row["code"],
            course_name=row["name"],
            course_public_id=str(row["course_public_id"]),
            required=row["required"],
            current=row["current"],
        )
        for row in rows
    ]
    # Officers under the agency's required courses: no agreement, or one without requirements.
    legacy = designated.filter(
        ~Exists(TrainingRequirement.objects.filter(agreement=OuterRef("agreement"))) | Q(agreement__isnull=True)
    )
    count = Count("pk")
    legacy_rows = (
        Course.objects.filter(agency=agency, required=True)
        .annotate(
            required_n=Coalesce(
                Subquery(legacy.order_by().annotate(one=F("agency")).values("one").annotate(n=count).values("n")),
                0,
                output_field=IntegerField(),
            ),
            current_n=Coalesce(
                Subquery(
                    legacy.filter(
                        Exists(
                            Certification.objects.filter(
                                _valid_on(today), officer=OuterRef("pk"), course=OuterRef(OuterRef("pk"))
                            )
                        )
                    )
                    .order_by()
                    .annotate(one=F("agency"))
                    .values("one")
                    .annotate(n=count)
                    .values("n")
                ),
                0,
                output_field=IntegerField(),
            ),
        )
        .values("code", "name", "public_id", "required_n", "current_n")
    )
    for row in legacy_rows:
        if row["required_n"]:
            result.append(
                CourseCurrency(
                    model="",
                    kind="",
                    course_code=row["code"],
                    course_name=row["name"],
                    course_public_id=str(row["public_id"]),
                    required=row["required_n"],
                    current=row["current_n"],
                )
            )
    kinds = {Kind.BASIC: 0, Kind.REFRESHER: 1, Kind.ANNUAL: 2, "": 3}
    result.sort(key=lambda row: (row.model == "", row.model, kinds.get(row.kind, 3), row.course_code))
    return result
