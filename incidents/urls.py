from django.urls import path

from incidents import views

app_name = "incidents"
urlpatterns = [
    path("detainers/", views.detainer_list, name="detainer_list"),
    path("incidents/", views.incident_list, name="incident_list"),
]
