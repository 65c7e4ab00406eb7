"""SECURITY.md F6: no view reads a person's name, A-number or date of birth from the query string.

The searches on a person are POSTed and kept in the session (``compliance.core.private_search``,
``incidents.detainer_log.name_search``); the query string carries only their tokens. This scans
every view module for ``request.GET`` reads of such a field, so a new one fails here.
"""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PERSON_FIELDS = r"(q|a_number|number_text|subject_last_name|subject_first_name|last_name|first_name|date_of_birth|dob)"
READ = re.compile(rf"request\.GET(?:\.get\(|\[)\s*[\"']{PERSON_FIELDS}[\"']")


def test_F6_no_view_reads_a_person_search_from_request_GET():
    offenders = []
    for package in ("compliance", "incidents", "training", "community"):
        for path in (ROOT / package).rglob("*.py"):
            for number, line in enumerate(path.read_text().splitlines(), 1):
                if READ.search(line):
                    offenders.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert offenders == []


def test_F6_the_scan_finds_such_a_read():
    assert READ.search('search = request.GET.get("a_number", "")')
    assert READ.search("name = request.GET['subject_last_name']")
    assert not READ.search('token = request.GET.get("search", "")')
