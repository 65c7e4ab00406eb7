"""PDF reports (top floor): requested by a user, rendered by a Celery task with WeasyPrint.

``services.report_request`` creates the ``Report`` row and queues
``compliance.tasks.render_report_task``; ``rendering.report_render`` renders,
stores (private storage), hashes and counts pages. ``pdf.pdf_render`` is the
only place WeasyPrint runs, always with ``fetcher.StaticOnlyURLFetcher`` (case R2).
"""
