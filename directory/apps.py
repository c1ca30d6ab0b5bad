from django.apps import AppConfig


class DirectoryConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "directory"
    verbose_name = "Therapist directory"

    def ready(self):
        from django.apps import apps
        from django.db.models.signals import m2m_changed, post_delete, post_save

        from directory import checks  # noqa: F401 (registers the system checks)
        from modalities.versioned_cache import content_changed
        from therapists.models import rows_updated

        # Any change to what public pages show makes every cached page stale.
        for app_label in ("modalities", "therapists"):
            for model in apps.get_app_config(app_label).get_models():
                post_save.connect(content_changed, sender=model, weak=False)
                post_delete.connect(content_changed, sender=model, weak=False)
        m2m_changed.connect(content_changed, weak=False)
        rows_updated.connect(content_changed, weak=False)
