"""Template filters that show UTC-stored datetimes in an agency's time zone.

Usage: ``{% load agency_time %}{{ detainer.hold_deadline|in_zone:detainer.agency }}`` renders e.g.
``2026-03-09 10:00 CDT``. The functions live in ``compliance.core.agency_time`` so apps can call them too.
"""

from django import template

from compliance.core.agency_time import hours_until, in_zone

register = template.Library()
register.filter("in_zone", in_zone)
register.filter("hours_until", hours_until)
