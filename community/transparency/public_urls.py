"""Public transparency URLs (namespace ``transparency``, mounted at /transparency/; no account needed)."""

from django.urls import path

from community.transparency import views

app_name = "transparency"
urlpatterns = [
    path("", views.transparency_index, name="index"),
    path("<uuid:public_id>/", views.transparency_agency, name="agency"),
    path("<uuid:public_id>/figures.csv", views.transparency_csv, name="csv"),
]
