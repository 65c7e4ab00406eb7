"""Named points where a test can kill or hold the running process, to prove a job survives a crash there.

Two kinds, both honoured only with ``settings.TESTING`` (production never reads them):

* ``failpoint(name)`` kills the process at a point (below);
* ``pause_point(name)`` holds it there until the test lets go, so the test can kill the process from outside
  while it is at that point (a worker child mid-task).

``failpoint("mail.after_send")`` does nothing unless ``settings.TESTING`` is on and the environment variable
``COMPLIANCE_FAILPOINT`` names that point. Then it sends SIGKILL to its own process (a worker child dies as
under the OOM killer), or, with ``COMPLIANCE_FAILPOINT_ACTION=raise``, raises ``FailpointKill`` (a
``BaseException``, so no ``except Exception`` swallows it) for in-process tests. Production never reads it.
"""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

from django.conf import settings

ENVIRONMENT_VARIABLE = "COMPLIANCE_FAILPOINT"
#: The folder a test arms pause points in (``pause_point``).
PAUSE_DIRECTORY_VARIABLE = "COMPLIANCE_PAUSEPOINT_DIR"
#: The longest a pause point holds, in seconds (a test that forgets to let go does not hang a worker forever).
PAUSE_LIMIT_SECONDS = 60


class FailpointKill(BaseException):  # noqa: N818 (it stands for a kill, not an error)
    """Raised at a failpoint in ``raise`` mode: the in-process stand-in for SIGKILL."""


def failpoint(name: str) -> None:
    """Kill this process (or raise ``FailpointKill``) if tests armed the failpoint ``name``; else nothing."""
    if not getattr(settings, "TESTING", False) or os.environ.get(ENVIRONMENT_VARIABLE) != name:
        return
    if os.environ.get("COMPLIANCE_FAILPOINT_ACTION") == "raise":
        raise FailpointKill(name)
    os.kill(os.getpid(), signal.SIGKILL)


def pause_point(name: str) -> None:
    """Hold this process at point ``name`` while a test keeps it armed; else nothing.

    Armed when ``settings.TESTING`` is on, ``COMPLIANCE_PAUSEPOINT_DIR`` names a folder and a file ``<name>.pause``
    exists in it. The process then writes its pid to ``<name>.pid`` there (so the test can kill it) and waits until
    the test removes ``<name>.pause``, at most ``PAUSE_LIMIT_SECONDS``.
    """
    folder = os.environ.get(PAUSE_DIRECTORY_VARIABLE)
    if not (getattr(settings, "TESTING", False) and folder):
        return
    armed = Path(folder) / f"{name}.pause"
    if not armed.exists():
        return
    (Path(folder) / f"{name}.pid").write_text(str(os.getpid()))
    deadline = time.monotonic() + PAUSE_LIMIT_SECONDS
    while armed.exists() and time.monotonic() < deadline:
        time.sleep(0.1)
