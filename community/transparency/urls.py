"""Staff transparency URLs (namespace ``community``, mounted at /outreach/): settings, preview, publish, withdraw."""

from django.urls import path

from community.transparency import admin_views

urlpatterns = [
    path("transparency/", admin_views.transparency_settings, name="transparency_settings"),
    path("transparency/preview/", admin_views.transparency_preview, name="transparency_preview"),
    path("transparency/publish/", admin_views.transparency_publish, name="transparency_publish"),
    path("transparency/withdraw/", admin_views.transparency_withdraw, name="transparency_withdraw"),
]
