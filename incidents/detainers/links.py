"""Links to a detainer for e-mails: a link, never the person's name or booking number."""

from django.urls import reverse

from compliance.core.site_links import absolute_url


def detainer_link(detainer) -> str:
    """The absolute address of ``detainer``'s page (addressed by its public id)."""
    return absolute_url(reverse("incidents:detainer_detail", args=[detainer.public_id]))
