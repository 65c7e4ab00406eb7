"""Community URLs, mounted at /outreach/ in the ``community`` namespace: each topic's list of routes."""

from community.commitments.urls import urlpatterns as commitment_urls
from community.organisations.urls import urlpatterns as organisation_urls
from community.outreach.urls import urlpatterns as outreach_urls
from community.steering_committee.urls import urlpatterns as committee_urls
from community.transparency.urls import urlpatterns as transparency_urls

app_name = "community"
urlpatterns = [*outreach_urls, *organisation_urls, *commitment_urls, *committee_urls, *transparency_urls]
