"""The custom user: one home agency, roles by group membership."""

from django.contrib.auth.models import AbstractUser
from django.contrib.auth.models import UserManager as DjangoUserManager
from django.db import models


class UserQuerySet(models.QuerySet):
    def delete(self):
        # Case H3: a bulk delete (e.g. the admin's "delete selected") would null
        # out the authors of history rows just as ``User.delete`` would.
        raise PermissionError("Users are deactivated, never deleted: set is_active to False.")


class UserManager(DjangoUserManager.from_queryset(UserQuerySet)):
    pass


class User(AbstractUser):
    """A person who signs in. Deactivated, never deleted, so history keeps its authors.

    The role is the user's group (Agency staff, Supervisor, Auditor, Agency
    administrator); the agencies a user may act in are guardian object
    permissions on ``Agency`` (see ``compliance.core.access``).
    """

    home_agency = models.ForeignKey(
        "compliance.Agency", null=True, blank=True, on_delete=models.PROTECT, related_name="members"
    )

    #: Set when django-axes locked the account (SECURITY.md A4); only an administrator's unlock clears it.
    locked_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = UserManager()

    def delete(self, *args, **kwargs):
        # Case H3: history must never lose its author. Deactivate instead.
        raise PermissionError("Users are deactivated, never deleted: set is_active to False.")

    @property
    def role_names(self) -> list[str]:
        return sorted(group.name for group in self.groups.all())
