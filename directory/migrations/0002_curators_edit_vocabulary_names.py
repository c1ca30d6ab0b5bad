"""Curators edit the Spanish names of formats, ages, credentials and languages too."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

NAMES = {
    "modalities": ["change_format", "view_format", "change_agegroup", "view_agegroup"],
    "therapists": ["change_credential", "view_credential", "change_language", "view_language"],
}


def permissions(apps):
    # Permissions are normally created after all migrations; these are needed now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, verbosity=0)
        app_config.models_module = None
    Permission = apps.get_model("auth", "Permission")
    found = []
    for app_label, codenames in NAMES.items():
        rows = Permission.objects.filter(content_type__app_label=app_label, codename__in=codenames)
        assert rows.count() == len(codenames), (app_label, codenames)
        found.extend(rows)
    return found


def grant(apps, schema_editor):
    curators = apps.get_model("auth", "Group").objects.filter(name="Curator").first()
    if curators:
        curators.permissions.add(*permissions(apps))


def revoke(apps, schema_editor):
    curators = apps.get_model("auth", "Group").objects.filter(name="Curator").first()
    if curators:
        curators.permissions.remove(*permissions(apps))


class Migration(migrations.Migration):
    dependencies = [
        ("directory", "0001_curator_group"),
        ("modalities", "0005_spanish_texts"),
        ("therapists", "0010_spanish_edition"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
