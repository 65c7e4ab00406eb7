"""``/api/v1/``: the OpenAPI schema and the API's routes (``compliance.api``).

Every route but the schema names a record of the integration's agency; ``tests/api/test_isolation.py``
walks this list, so a new route is checked for agency isolation without being named there.
"""

from django.urls import path, re_path

from compliance.api import feed, views

app_name = "api"

urlpatterns = [
    path("schema/", views.SchemaView.as_view(), name="schema"),
    path("detainers/", views.DetainerCreateView.as_view(), name="detainer_create"),
    path("detainers/lookup/", views.DetainerLookupView.as_view(), name="detainer_lookup"),
    path("detainers/<uuid:public_id>/", views.DetainerDetailView.as_view(), name="detainer_detail"),
    path("detainers/<uuid:public_id>/release/", views.DetainerReleaseView.as_view(), name="detainer_release"),
    path("detainers/<uuid:public_id>/transfer/", views.DetainerTransferView.as_view(), name="detainer_transfer"),
    path("detainers/<uuid:public_id>/lift/", views.DetainerLiftView.as_view(), name="detainer_lift"),
    path(
        "officers/<str:officer>/authorization/",
        views.OfficerAuthorizationView.as_view(),
        name="officer_authorization",
    ),
    path("events/", feed.EventListView.as_view(), name="events"),
]

#: Last: any other path under /api/v1/ answers a 404 problem, not the HTML page.
urlpatterns_not_found = [re_path(r"^.*$", views.NotFoundView.as_view(), name="not_found")]
urlpatterns += urlpatterns_not_found
