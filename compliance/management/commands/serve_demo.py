"""``manage.py serve_demo [addrport]``: ``runserver`` that prints the demo logins last, once it listens (``make run``).

``make run`` loads the demo data, runs the jobs and then serves; whatever the
server prints when it starts (system checks, version, the development-server
warning) used to come after the logins and bury them. This command is Django's
``runserver`` (with its options, static files and auto-reload) that, once the
port is bound, prints the sign-in address on this server and the demo logins
(``seed_demo.login_lines``), so they are the last lines until the first request.
A reload prints them again. When ``SITE_URL`` (the links in e-mails) names
another port, it says so first. DEBUG only, like ``seed_demo``.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.staticfiles.management.commands.runserver import Command as RunserverCommand
from django.core.management.base import CommandError
from django.urls import reverse

from compliance.management.commands.seed_demo import login_lines

REFUSE_MESSAGE = "serve_demo only runs with DEBUG=1: it prints the demo accounts' published password."
#: Bound to every interface: a browser on this machine reaches it here.
WILDCARD_HOSTS = {"0": "127.0.0.1", "0.0.0.0": "127.0.0.1", "::": "[::1]"}  # noqa: S104 (names, not a bind)


def site_port(site_url: str) -> int:
    """The TCP port of ``site_url`` (an absolute http(s) URL); the scheme's default when it names none."""
    parts = urlsplit(site_url)
    return parts.port or (443 if parts.scheme == "https" else 80)


def port_mismatch_line(*, site_url: str, server_port: int) -> str | None:
    """A one-line warning when e-mail links (``site_url``) point at another port than the server's, else None."""
    if site_port(site_url) == int(server_port):
        return None
    return (
        f"E-mail links point at SITE_URL={site_url}, not at this server (port {server_port}); "
        "set SITE_URL to this server's address (make run does)."
    )


class Command(RunserverCommand):
    help = (
        "Django's runserver, printing the demo logins last once it listens (make run). "
        "Refuses to run unless DEBUG is on."
    )

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError(REFUSE_MESSAGE)
        super().handle(*args, **options)

    def on_bind(self, server_port):
        """Print runserver's banner, then (after a blank line) the demo logins with a sign-in link on this server."""
        super().on_bind(server_port)
        host = f"[{self.addr}]" if self._raw_ipv6 else self.addr
        host = WILDCARD_HOSTS.get(self.addr, host)
        self.stdout.write("")
        warning = port_mismatch_line(site_url=settings.SITE_URL, server_port=server_port)
        if warning:
            self.stdout.write(self.style.WARNING(warning))
        lines = login_lines(sign_in_url=f"{self.protocol}://{host}:{server_port}{reverse('account_login')}")
        self.stdout.write(self.style.SUCCESS(lines[0]))
        for line in lines[1:]:
            self.stdout.write(line)
        # The server now waits for requests: show the logins at once, also through a pipe (make run | tee).
        self.stdout.flush()
