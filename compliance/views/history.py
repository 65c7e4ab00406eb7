from django.contrib.auth.decorators import login_required
from django.http import HttpResponse


@login_required
def record_history(request, model_label, public_id):
    return HttpResponse("history placeholder")
