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


def closed_request_bodies(result, generator, request, public):
    """drf-spectacular postprocessing hook: every request body's schema says ``additionalProperties: false``.

    The views refuse a field they do not read with a 400 naming it (``compliance.api.views.validated``); the
    schema says so, so a client generated from it (and schemathesis) knows an unknown field is not accepted.
    In: the generated OpenAPI document (a dict); out: the same document, changed in place.
    """
    components = result.get("components", {}).get("schemas", {})
    for path in result.get("paths", {}).values():
        for operation in path.values():
            if not isinstance(operation, dict):
                continue
            for content in operation.get("requestBody", {}).get("content", {}).values():
                reference = content.get("schema", {}).get("$ref", "")
                name = reference.rsplit("/", 1)[-1]
                if name in components:
                    components[name]["additionalProperties"] = False
    return result
