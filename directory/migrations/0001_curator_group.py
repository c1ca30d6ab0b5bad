"""The Curator group: edits modality pages and concerns, reviews quotes, nothing else."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

CURATOR_PERMISSIONS = {
    "modalities": [
        "add_modality",
        "change_modality",
        "view_modality",
        "add_concern",
        "change_concern",
        "view_concern",
        "add_reference",
        "change_reference",
        "delete_reference",
        "view_reference",
    ],
    "therapists": ["view_pendingquote", "review_quote"],
}


def create_curator_group(apps, schema_editor):
    # Permissions are normally created after all migrations; this one needs them now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    curators, _ = Group.objects.get_or_create(name="Curator")
    for app_label, codenames in CURATOR_PERMISSIONS.items():
        permissions = Permission.objects.filter(
            content_type__app_label=app_label, codename__in=codenames
        )
        assert permissions.count() == len(codenames), (app_label, codenames)
        curators.permissions.add(*permissions)


def remove_curator_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name="Curator").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("modalities", "0002_curation"),
        ("therapists", "0003_license_verification"),
    ]

    operations = [migrations.RunPython(create_curator_group, remove_curator_group)]
