from django.apps import AppConfig


class ModalitiesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "modalities"
    verbose_name = "Modalities and concerns"
