"""The OpenAPI description of the integrations' bearer token (drf-spectacular extension)."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension


class IntegrationTokenScheme(OpenApiAuthenticationExtension):
    """``Authorization: Bearer pgc_<prefix>_<secret>`` (``compliance.api.authentication``)."""

    target_class = "compliance.api.authentication.IntegrationTokenAuthentication"
    name = "integrationToken"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "The token shown once when the agency administrator created the integration.",
        }
