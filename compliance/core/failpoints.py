"""Named points where a test can kill the running process, to prove a job survives a crash there.

``failpoint("mail.after_send")`` does nothing unless ``settings.TESTING`` is on and the environment variable
``COMPLIANCE_FAILPOINT`` names that point. Then it sends SIGKILL to its own process (a worker child dies as
under the OOM killer), or, with ``COMPLIANCE_FAILPOINT_ACTION=raise``, raises ``FailpointKill`` (a
``BaseException``, so no ``except Exception`` swallows it) for in-process tests. Production never reads it.
"""

from __future__ import annotations

import os
import signal

from django.conf import settings

ENVIRONMENT_VARIABLE = "COMPLIANCE_FAILPOINT"


class FailpointKill(BaseException):  # noqa: N818 (it stands for a kill, not an error)
    """Raised at a failpoint in ``raise`` mode: the in-process stand-in for SIGKILL."""


def failpoint(name: str) -> None:
    """Kill this process (or raise ``FailpointKill``) if tests armed the failpoint ``name``; else nothing."""
    if not getattr(settings, "TESTING", False) or os.environ.get(ENVIRONMENT_VARIABLE) != name:
        return
    if os.environ.get("COMPLIANCE_FAILPOINT_ACTION") == "raise":
        raise FailpointKill(name)
    os.kill(os.getpid(), signal.SIGKILL)
