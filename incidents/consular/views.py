"""The consular-notification page of a detainer (R5.4–R5.7).

Reached only through ``compliance.core.access`` (another agency's detainer → 404).
Recording the consular steps needs ``change_records``: a user who can see the
detainer but lacks it gets 403. The page shows personal data, so each view is
access-logged.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from compliance.core.forms import add_service_errors
from compliance.core.models import AccessLog, access_log_record
from compliance.core.pages import require_change
from incidents.consular import services as consular
from incidents.consular.forms import ConsularForm
from incidents.detainers.selectors import detainer_or_404


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def detainer_consular(request, public_id):
    """The consular-notification record (R5.4–R5.7)."""
    detainer = detainer_or_404(request.user, public_id)
    require_change(request.user, detainer.agency)
    if request.method == "POST":
        # The stored values on POST too: a time saved unchanged keeps its seconds (case H2).
        form = ConsularForm(request.POST, initial=ConsularForm.initial_for(detainer), agency=detainer.agency)
        if form.is_valid():
            try:
                consular.consular_record(detainer=detainer, actor=request.user, **form.cleaned_data)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, "Consular notification record saved.")
                return redirect("incidents:detainer_detail", public_id=detainer.public_id)
    else:
        form = ConsularForm(initial=ConsularForm.initial_for(detainer), agency=detainer.agency)
    access_log_record(request, action=AccessLog.Action.VIEW, record=detainer)
    context = {
        "detainer": detainer,
        "form": form,
        "status": consular.consular_status(detainer),
        "protection_note": consular.PROTECTION_CLAIM_NOTE,
    }
    return render(request, "incidents/detainer_consular.html", context)
