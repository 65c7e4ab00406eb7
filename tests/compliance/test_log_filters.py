"""The console log: a refused request is one line, a server error keeps its traceback."""

import logging
import sys

from compliance.log_filters import ClientErrorsWithoutTraceback


def record_with(status_code):
    try:
        raise PermissionError("refused")
    except PermissionError:
        record = logging.LogRecord("django.request", logging.WARNING, __file__, 1, "Forbidden", (), sys.exc_info())
    record.status_code = status_code
    return record


def test_a_403_keeps_its_message_but_not_its_traceback():
    record = record_with(403)
    assert ClientErrorsWithoutTraceback().filter(record) is True
    assert record.exc_info is None
    assert record.getMessage() == "Forbidden"


def test_a_500_keeps_its_traceback():
    record = record_with(500)
    ClientErrorsWithoutTraceback().filter(record)
    assert record.exc_info is not None and record.exc_info[0] is PermissionError
