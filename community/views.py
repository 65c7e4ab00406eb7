"""Placeholder views; replaced as the app is built."""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse


@login_required
def outreach_list(request):
    return HttpResponse("outreach_list")
