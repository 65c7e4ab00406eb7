"""Signal receivers of the compliance core, connected in ``ComplianceConfig.ready``.

``object_permissions_cleanup``: a deleted object leaves no object permissions
behind (case A2). django-guardian stores an object permission as a
``UserObjectPermission`` / ``GroupObjectPermission`` row naming the object by
content type and primary key, with no foreign key to it, so deleting the
object leaves the row; a later object reusing the key (a natural key, a
reset sequence, a restored backup) would inherit it. Guardian's caveats page
recommends removing them on delete; its ``clean_orphan_obj_perms`` command is
the after-the-fact sweep and finds nothing to remove while this receiver runs.

``connect_memo_clear``: a change of guardian's permission rows or of a user's groups empties the
request's access memo (``compliance.core.access``), so the rest of that request asks afresh.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db.models.signals import m2m_changed, post_delete, post_save
from guardian.ctypes import get_content_type
from guardian.utils import get_group_obj_perms_model, get_user_obj_perms_model


def object_permissions_cleanup(sender, instance, **kwargs) -> None:
    """``post_delete`` for every model: delete the user and group object permissions on ``instance``.

    Runs inside the deleting transaction (Django's delete collector is atomic),
    so a delete that fails keeps the permissions too. Two queries per deleted
    object, none for the permission rows themselves. Covers ``Model.delete()``,
    ``QuerySet.delete()`` and cascades (a receiver for every model turns off
    Django's fast delete, so each cascaded object is sent too).
    """
    if sender.__module__ == "__fake__":
        return  # a migration's historical model: guardian's tables may not exist at that state
    permission_models = (get_user_obj_perms_model(), get_group_obj_perms_model())
    if sender in permission_models or instance.pk is None:
        return
    content_type = get_content_type(instance)  # cached by ContentType's manager
    for model in permission_models:
        model.objects.filter(content_type=content_type, object_pk=str(instance.pk)).delete()


def connect_memo_clear() -> None:
    """Connect ``compliance.core.access.memo_clear`` to every change of who may do what: saved or deleted user
    and group object permissions (``assign_perm``, ``remove_perm``, the cleanup above) and a user's groups."""
    from compliance.core.access import memo_clear

    for model in (get_user_obj_perms_model(), get_group_obj_perms_model()):
        post_save.connect(memo_clear, sender=model, dispatch_uid=f"access.memo_clear.save.{model._meta.label}")
        post_delete.connect(memo_clear, sender=model, dispatch_uid=f"access.memo_clear.delete.{model._meta.label}")
    m2m_changed.connect(memo_clear, sender=get_user_model().groups.through, dispatch_uid="access.memo_clear.groups")
