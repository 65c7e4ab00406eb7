"""Development e-mail (``EMAIL_URL=devmail://``, the default with ``DEBUG`` on): a file per message, a line each.

Django's console backend prints every message whole (headers, body, links) and
buries whatever a command prints last, such as the demo logins of ``make run``;
its file backend writes them silently, so nobody knows mail went out. This one
writes each message, as sent, to its own ``.eml`` file under ``EMAIL_FILE_PATH``
(``var/mail/`` by default; any mail client opens it) and prints one short line:
the number of recipients, the subject and the file. It never prints an address
or the body (SECURITY.md: no personal data on the console).
"""

from __future__ import annotations

import os
import sys
import threading
import uuid
from datetime import UTC, datetime
from pathlib import Path

from django.conf import settings
from django.core.mail.backends.base import BaseEmailBackend


def sent_line(*, recipients: int, subject: str, path: str) -> str:
    """The one line printed for a message saved to ``path``.

    E.g. ``E-mail to 2 recipients: "Hold deadline passed: act now" -> var/mail/x.eml`` (ending in a newline).
    ``recipients`` is a count (To, Cc and Bcc together); addresses are never printed.
    """
    noun = "recipient" if recipients == 1 else "recipients"
    return f'E-mail to {recipients} {noun}: "{subject}" -> {path}\n'


class EmailBackend(BaseEmailBackend):
    """Write each message to ``<EMAIL_FILE_PATH>/<UTC time>-<random>.eml`` and print one line per message.

    Args (besides ``fail_silently``):
        file_path: the folder (default ``settings.EMAIL_FILE_PATH``); created if missing.
        stream: where the lines go (default ``sys.stdout``, like Django's console backend).

    ``send_messages`` returns how many messages were written. A folder that
    cannot be written raises ``OSError`` unless ``fail_silently``.
    """

    def __init__(self, *args, file_path: str | os.PathLike | None = None, stream=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.file_path = Path(file_path if file_path is not None else settings.EMAIL_FILE_PATH)
        self.stream = stream if stream is not None else sys.stdout
        self._lock = threading.RLock()

    def send_messages(self, email_messages) -> int:
        if not email_messages:
            return 0
        sent = 0
        with self._lock:
            for message in email_messages:
                try:
                    path = self._write(message)
                except OSError:
                    if not self.fail_silently:
                        raise
                    continue
                self.stream.write(
                    sent_line(recipients=len(message.recipients()), subject=message.subject, path=_shown(path))
                )
                self.stream.flush()
                sent += 1
        return sent

    def _write(self, message) -> Path:
        """Write ``message`` (as bytes, the way it would be sent) to a new file of its own; return the file."""
        self.file_path.mkdir(parents=True, exist_ok=True)
        stamp = datetime.now(tz=UTC).strftime("%Y%m%dT%H%M%SZ")
        path = self.file_path / f"{stamp}-{uuid.uuid4().hex[:8]}.eml"
        with open(path, "xb") as handle:  # "x": never overwrite another message
            handle.write(message.message().as_bytes())
        return path


def _shown(path: Path) -> str:
    """``path`` relative to the current folder when it lies inside it (``var/mail/…``), else absolute."""
    absolute = path.resolve()
    try:
        return str(absolute.relative_to(Path.cwd()))
    except ValueError:
        return str(absolute)
