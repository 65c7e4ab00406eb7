"""A column derived from another field of the same row at every save, never typed (``DerivedField``).

Like ``auto_now``, the value is set in ``pre_save``, so every save path keeps it in step with its source:
services, the admin, ``bulk_create``; ``compliance.core.bulk_history`` recomputes it on ``update()`` and
``bulk_update()`` of the source. Subclasses say how: ``names.NameKeyField`` (a name's comparison key),
``crypto.fields.BlindIndexField`` (a keyed blind index of an encrypted value).
"""

from __future__ import annotations

from django.db import models


class DerivedField(models.CharField):
    """A ``CharField`` holding ``derive(source value)``: not editable, blank allowed, ``""`` by default.

    Args:
        source: the name of the field it is derived from, e.g. ``"last_name"``.
        max_length: the column's length (``DEFAULT_MAX_LENGTH`` unless given).
    """

    DEFAULT_MAX_LENGTH = 200

    def __init__(self, *args, source: str, **kwargs):
        self.source = source
        kwargs.setdefault("max_length", self.DEFAULT_MAX_LENGTH)
        kwargs.setdefault("editable", False)
        kwargs.setdefault("blank", True)
        kwargs.setdefault("default", "")
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs["source"] = self.source
        defaults = (("max_length", self.DEFAULT_MAX_LENGTH), ("editable", False), ("blank", True), ("default", ""))
        for option, default in defaults:
            if kwargs.get(option, default) == default:
                kwargs.pop(option, None)
        return name, path, args, kwargs

    def derive(self, value) -> str:
        """The stored value for a source value (``None`` counts as ``""``). Subclasses override."""
        raise NotImplementedError

    def pre_save(self, model_instance, add):
        value = self.derive(getattr(model_instance, self.source))
        setattr(model_instance, self.attname, value)
        return value
