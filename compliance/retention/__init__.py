"""Retention on the top floor: the nightly purge of expired personal data in every copy (``purge.py``), the
agency's retention schedules page and the legal holds pages (``views.py``, ``forms.py``, ``urls.py``)."""
