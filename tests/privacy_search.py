"""Search every copy we hold for a string (SECURITY.md G3): tables, files, the cache, the sessions.

``search_everywhere(needles)`` answers a list of hits, each naming where the needle was found (never the data
around it, so a failing test does not print more personal data than the needle). Case-insensitive: name keys are
stored casefolded. The places searched:

* every model of every installed app, ``include_auto_created`` (m2m tables), through the ORM: every concrete
  column of every row, as the ORM reads it (so an encrypted field is searched decrypted);
* every table of the database with a raw ``SELECT`` (PostgreSQL: each row as ``row::text``; SQLite: each column
  as text), so a column no model maps is searched too;
* every file under the storage roots (PDFs by their text with pypdf, ZIP-based files such as XLSX member by member,
  anything else as bytes in UTF-8 and UTF-16);
* the cache (local memory or Redis: every value's bytes);
* the sessions, decoded.

To extend it (a new place where copies live), add a function returning hits and call it from
``search_everywhere``.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterable
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.core.cache import cache
from django.db import connection
from pypdf import PdfReader


def _found(text: str, needles: list[str]) -> list[str]:
    low = text.casefold()
    return [needle for needle in needles if needle.casefold() in low]


def _found_bytes(data: bytes, needles: list[str]) -> list[str]:
    hits = []
    low = data.lower()
    for needle in needles:
        for encoding in ("utf-8", "utf-16-le"):
            if needle.lower().encode(encoding) in low or needle.encode(encoding) in data:
                hits.append(needle)
                break
    return hits


def search_models(needles: list[str]) -> list[str]:
    """Hits in every model's rows read through the ORM ("<label>.<field> #<pk>: <needle>")."""
    hits = []
    for model in apps.get_models(include_auto_created=True):
        fields = [f.attname for f in model._meta.concrete_fields]
        for row in model._base_manager.values_list(*fields).iterator():
            for name, value in zip(fields, row, strict=True):
                if value is None:
                    continue
                text = value.decode("latin-1") if isinstance(value, bytes | memoryview) else str(value)
                hits += [f"{model._meta.label}.{name} #{row[0]}: {n}" for n in _found(text, needles)]
    return hits


def search_tables(needles: list[str]) -> list[str]:
    """Hits in every table read with raw SQL ("table <name>: <needle>")."""
    hits = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            quoted = connection.ops.quote_name(table)
            if connection.vendor == "postgresql":
                cursor.execute(f"SELECT t::text FROM {quoted} AS t")  # noqa: S608 -- names from introspection
                rows = (row[0] for row in cursor.fetchall())
            else:
                cursor.execute(f"SELECT * FROM {quoted}")  # noqa: S608 -- names from introspection
                rows = (
                    " ".join(v.decode("latin-1") if isinstance(v, bytes) else str(v) for v in row)
                    for row in cursor.fetchall()
                )
            for text in rows:
                hits += [f"table {table}: {n}" for n in _found(text, needles)]
    return hits


def _file_hits(name: str, data: bytes, needles: list[str]) -> list[str]:
    if data.startswith(b"%PDF"):
        try:
            text = "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(data)).pages)
        except Exception:  # noqa: BLE001 -- an unreadable PDF is searched as bytes below
            text = ""
        return [f"file {name} (PDF text): {n}" for n in _found(text, needles)] + [
            f"file {name} (bytes): {n}" for n in _found_bytes(data, needles)
        ]
    if zipfile.is_zipfile(io.BytesIO(data)):
        hits = []
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            for member in archive.namelist():
                hits += _file_hits(f"{name}!{member}", archive.read(member), needles)
        return hits
    return [f"file {name}: {n}" for n in _found_bytes(data, needles)]


def storage_roots() -> list[Path]:
    """The folders files are stored in: private storage and MEDIA_ROOT when set."""
    roots = [Path(settings.PRIVATE_MEDIA_ROOT)]
    location = settings.STORAGES.get("default", {}).get("OPTIONS", {}).get("location")
    if location:
        roots.append(Path(location))
    if getattr(settings, "MEDIA_ROOT", ""):
        roots.append(Path(settings.MEDIA_ROOT))
    return list(dict.fromkeys(root for root in roots if root.exists()))


def search_files(needles: list[str], roots: Iterable[Path] | None = None) -> list[str]:
    """Hits in every file under ``roots`` (default ``storage_roots()``), names included."""
    hits = []
    for root in roots if roots is not None else storage_roots():
        for path in Path(root).rglob("*"):
            hits += [f"file name {path}: {n}" for n in _found(path.name, needles)]
            if path.is_file():
                hits += _file_hits(str(path), path.read_bytes(), needles)
    return hits


def search_cache(needles: list[str]) -> list[str]:
    """Hits in the default cache's values (local memory or Redis)."""
    hits = []
    store = getattr(cache, "_cache", None)
    if isinstance(store, dict):  # LocMemCache: key -> pickled value
        for key, value in list(store.items()):
            data = value if isinstance(value, bytes) else repr(value).encode()
            hits += [f"cache {key}: {n}" for n in _found_bytes(data, needles) + _found(str(key), needles)]
        return hits
    if store is not None and hasattr(store, "get_client"):  # RedisCache
        client = store.get_client()
        for key in client.scan_iter():
            value = client.dump(key) or b""
            hits += [f"cache {key!r}: {n}" for n in _found_bytes(value + bytes(key), needles)]
    return hits


def search_sessions(needles: list[str]) -> list[str]:
    """Hits in every stored session, decoded."""
    hits = []
    store = SessionStore()
    for session in Session.objects.all():
        decoded = store.decode(session.session_data)
        hits += [f"session {session.pk[:6]}…: {n}" for n in _found(repr(decoded), needles)]
    return hits


def search_everywhere(needles: list[str]) -> list[str]:
    """Every hit of any of ``needles`` in the tables, files, cache and sessions (empty: none anywhere)."""
    return (
        search_models(needles)
        + search_tables(needles)
        + search_files(needles)
        + search_cache(needles)
        + search_sessions(needles)
    )
