from django.db import migrations

from modalities.seed_edits import name_the_site_in_migration


class Migration(migrations.Migration):
    """The seeded IPT overview says this site's name, not the seed's site's (a curator's
    edit in its history; databases seeded before). See modalities.seed_edits."""

    dependencies = [
        ("modalities", "0005_spanish_texts"),
    ]

    operations = [
        migrations.RunPython(name_the_site_in_migration, migrations.RunPython.noop),
    ]
