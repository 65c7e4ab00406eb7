from django.urls import path

from community import views

app_name = "community"
urlpatterns = [
    path("", views.outreach_list, name="outreach_list"),
]
