"""URLs of the people pages (``people:``). A person is addressed by their user key (no name, no e-mail)."""

from django.urls import path

from compliance.accounts import views

app_name = "people"

urlpatterns = [
    path("", views.people_list, name="list"),
    path("invite/", views.person_invite, name="invite"),
    path("invitation/<str:uidb64>/<str:token>/", views.invitation_accept, name="accept"),
    path("<int:pk>/", views.person_detail, name="detail"),
    path("<int:pk>/role/", views.person_role, name="role"),
    path("<int:pk>/move/", views.person_move, name="move"),
    path("<int:pk>/deactivate/", views.person_deactivate, name="deactivate"),
    path("<int:pk>/reactivate/", views.person_reactivate, name="reactivate"),
    path("<int:pk>/unlock/", views.person_unlock, name="unlock"),
]
