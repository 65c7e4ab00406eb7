"""Create the four role groups (compliance.core.roles.Role.ALL).

The names are copied here, not imported, so this migration keeps working if the
code's names change later (a rename needs its own migration). The groups hold
no model-wide permissions: a role's reach is the agency object permissions
granted by ``compliance.core.roles.role_grant`` (case A1).
"""

from django.db import migrations

ROLE_NAMES = ("Agency staff", "Supervisor", "Auditor", "Agency administrator")


def create_groups(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    for name in ROLE_NAMES:
        Group.objects.get_or_create(name=name)


def remove_groups(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Group.objects.filter(name__in=ROLE_NAMES, user__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("compliance", "0002_user_manager_refuses_delete"),
    ]

    operations = [migrations.RunPython(create_groups, remove_groups)]
