from django.apps import AppConfig


class KitConfig(AppConfig):
    name = "kit"
    verbose_name = "Site machinery"
    default_auto_field = "django.db.models.BigAutoField"
