"""The 287(g) compliance manager: the project package (settings, URLs, dashboard, reports) and ``compliance.core``.

Importing the Celery app here makes ``shared_task`` use it in every process
(web, worker, beat, management commands).
"""

from compliance.celery import app as celery_app

__all__ = ("celery_app",)
