"""Template filters for typed text in PDF reports.

Usage: ``{% load report_text %}{{ note|breakable }}``: a long unbroken run (a 100,000-character
note) gets invisible break points, so WeasyPrint wraps it inside its cell in linear time
(``compliance.reports.pdf.break_long_runs``). The result is escaped like any other value.
"""

from django import template

from compliance.reports.pdf import break_long_runs

register = template.Library()
register.filter("breakable", break_long_runs)
