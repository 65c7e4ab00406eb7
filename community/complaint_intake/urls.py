"""Public complaint URLs, mounted at /complaints/ (no account needed). No personal data or number in any URL."""

from django.urls import path

from community.complaint_intake import views

app_name = "complaints"
urlpatterns = [
    path("", views.complaint_new, name="new"),
    path("received/", views.complaint_received, name="received"),
    path("status/", views.complaint_status, name="status"),
]
