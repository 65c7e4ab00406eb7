"""One run of a local-day job for one agency and one agency-local date (issue #13 item 6).

Beat starts the local-day jobs every hour; each run handles the agencies whose local clock has reached the
job's hour and that have no ``JobRun`` row yet for (job, agency, local date). The unique constraint makes the
row the claim: two beats, two workers or a rerun after a crash insert it once, so the job runs once per agency
and local day whatever the zone and across DST changes (``compliance.core.local_day_jobs``).
"""

from django.db import models


class JobRun(models.Model):
    job = models.CharField(max_length=60, help_text="The job's name, e.g. certification-reminders.")
    agency = models.ForeignKey("compliance.Agency", on_delete=models.CASCADE, related_name="+")
    local_date = models.DateField(help_text="The agency-local date the run is for.")
    started_at = models.DateTimeField(help_text="When the current (last) attempt started (UTC).")
    finished_at = models.DateTimeField(null=True, blank=True, help_text="When it finished; blank: running or died.")
    attempts = models.PositiveSmallIntegerField(default=1)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["job", "agency", "local_date"], name="job_run_once_per_local_day"),
        ]
        indexes = [models.Index(fields=["job", "local_date"], name="job_run_job_day")]

    def __str__(self) -> str:
        return f"{self.job} agency {self.agency_id} {self.local_date.isoformat()}"
