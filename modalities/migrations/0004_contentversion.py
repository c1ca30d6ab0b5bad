from django.db import migrations, models


def first_version(apps, schema_editor):
    apps.get_model("modalities", "ContentVersion").objects.create(number=0)


class Migration(migrations.Migration):
    dependencies = [
        ("modalities", "0003_overview_max_length"),
    ]

    operations = [
        migrations.CreateModel(
            name="ContentVersion",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("number", models.BigIntegerField(default=0)),
            ],
            options={"verbose_name": "content version"},
        ),
        migrations.RunPython(first_version, migrations.RunPython.noop),
    ]
