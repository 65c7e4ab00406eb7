"""TLS on the app's own hops, app → PostgreSQL and app/worker → Redis: ``check --deploy`` warnings (SECURITY.md E1).

The settings (``compliance/settings.py``) take the TLS from the environment: ``DATABASE_SSLMODE`` and
``DATABASE_SSLROOTCERT`` for every PostgreSQL connection, a ``rediss://`` ``REDIS_URL`` with ``REDIS_SSL_CA_FILE``
for the broker and the cache. The checks here (``python manage.py check --deploy``; CI fails on a warning) say when
a production process (``DEBUG`` off) would talk to a database or Redis in clear or without checking who answers:

- ``compliance.W101``: PostgreSQL without ``sslmode=verify-full`` (``require`` and ``verify-ca`` encrypt but do not
  check the server's name; anything less may not encrypt at all);
- ``compliance.W102``: PostgreSQL ``verify-full`` without a root certificate named (``DATABASE_SSLROOTCERT``);
- ``compliance.W103``: Redis without ``rediss://``;
- ``compliance.W104``: ``rediss://`` with the certificate check off (``ssl_cert_reqs`` other than required, in the
  URL or the broker/cache options).

A server on the loopback interface or a Unix socket (``localhost``, ``127.0.0.0/8``, ``::1``, a socket path, or no
host: libpq's socket) is exempt: that traffic never leaves the machine, there is no network hop to protect (CI's
throwaway PostgreSQL and Redis, a TLS tunnel's local end). Any other host must be on TLS; there is no switch to turn
the warning off for one (docs/decisions/transport-tls.md).
"""

from __future__ import annotations

import ipaddress
import os
import ssl
from urllib.parse import parse_qs, urlsplit

from django.conf import settings
from django.core.checks import Tags, Warning, register

#: The one PostgreSQL ``sslmode`` that encrypts and checks the server's certificate and host name.
VERIFY_FULL = "verify-full"


def is_local_host(host: str | None) -> bool:
    """True when ``host`` names this machine only: none (libpq's Unix socket), a socket path, ``localhost``, or a
    loopback address (IPv4 ``127.0.0.0/8``, IPv6 ``::1``, brackets allowed)."""
    host = (host or "").strip().strip("[]")
    if not host or host.startswith("/") or host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def postgresql_warnings(database: dict, *, beat_lock_url: str = "") -> list[Warning]:
    """W101/W102 for a PostgreSQL database reached over the network without ``verify-full`` and a root certificate.

    Args:
        database: a ``DATABASES`` entry (``ENGINE``, ``HOST``, ``OPTIONS``).
        beat_lock_url: the beat lock's own database URL (``BEAT_LOCK_DATABASE_URL``), "" for none: its host counts
            too (it connects with the same TLS options, ``compliance.core.beat_lock.tls_options``).
    """
    if not database["ENGINE"].endswith("postgresql"):
        return []
    hosts = [str(database.get("HOST") or "")]
    if beat_lock_url:
        hosts.append(urlsplit(beat_lock_url).hostname or "")
    remote = [host for host in hosts if not is_local_host(host)]
    if not remote:
        return []
    options = database.get("OPTIONS", {})
    sslmode = str(options.get("sslmode") or "")
    found = []
    if sslmode != VERIFY_FULL:
        found.append(
            Warning(
                f"PostgreSQL at {', '.join(remote)} is reached with sslmode={sslmode or 'prefer (libpq default)'}: "
                "the connection may be unencrypted, or the server's name is not checked.",
                hint="Set DATABASE_SSLMODE=verify-full and DATABASE_SSLROOTCERT to the CA file (SECURITY.md E1).",
                id="compliance.W101",
            )
        )
    elif not options.get("sslrootcert"):
        found.append(
            Warning(
                "PostgreSQL sslmode=verify-full without a root certificate named.",
                hint="Set DATABASE_SSLROOTCERT to the CA file that signed the server's certificate, or to 'system'.",
                id="compliance.W102",
            )
        )
    return found


def _cert_reqs_off(value) -> bool:
    """True when an ``ssl_cert_reqs`` value lets an unchecked certificate through (none/optional, in any spelling)."""
    if value is None:
        return False
    if isinstance(value, int):
        return value != ssl.CERT_REQUIRED
    return str(value).strip().lower() not in ("required", "cert_required")


def redis_warnings(url: str, *, broker_ssl: dict | None, cache_options: dict) -> list[Warning]:
    """W103/W104 for a Redis server reached over the network without ``rediss://`` or without certificate checks.

    Args:
        url: ``REDIS_URL`` ("" when Redis is not used: no warning).
        broker_ssl: ``CELERY_BROKER_USE_SSL`` (None when unset).
        cache_options: ``CACHES["default"]["OPTIONS"]``.
    """
    if not url:
        return []
    parts = urlsplit(url)
    if is_local_host(parts.hostname):
        return []
    if parts.scheme != "rediss":
        return [
            Warning(
                f"Redis at {parts.hostname} is reached without TLS ({parts.scheme}://): the broker's task messages "
                "and the cache travel in clear.",
                hint="Use a rediss:// REDIS_URL and REDIS_SSL_CA_FILE (SECURITY.md E1).",
                id="compliance.W103",
            )
        ]
    query = {key.lower(): values[-1] for key, values in parse_qs(parts.query).items()}
    if (
        _cert_reqs_off(query.get("ssl_cert_reqs"))
        or not broker_ssl
        or _cert_reqs_off(broker_ssl.get("ssl_cert_reqs", ssl.CERT_NONE))
        or _cert_reqs_off(cache_options.get("ssl_cert_reqs"))
    ):
        return [
            Warning(
                "Redis is reached over TLS without checking the server's certificate.",
                hint="Remove ssl_cert_reqs=none/optional from REDIS_URL; certificates are checked by default.",
                id="compliance.W104",
            )
        ]
    return []


@register(Tags.security, deploy=True)
def transport_checks(app_configs=None, **kwargs) -> list[Warning]:
    """``check --deploy``: the warnings above for a production process (``DEBUG`` off); none with ``DEBUG`` on."""
    if settings.DEBUG:
        return []
    return postgresql_warnings(
        settings.DATABASES["default"], beat_lock_url=os.environ.get("BEAT_LOCK_DATABASE_URL", "").strip()
    ) + redis_warnings(
        getattr(settings, "REDIS_URL", "") or "",
        broker_ssl=getattr(settings, "CELERY_BROKER_USE_SSL", None),
        cache_options=settings.CACHES.get("default", {}).get("OPTIONS", {}) or {},
    )
