"""organisations URLs (in the `community` namespace, mounted at /outreach/)."""

urlpatterns: list = []
