from django.apps import AppConfig


class TherapistsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "therapists"

    def ready(self):
        from django.db.models.signals import post_delete

        from therapists.models import Photo
        from therapists.photos import delete_files_with_row
        from therapists.search import changes

        changes.connect()
        # One path for a photo's files, whichever way its row is deleted.
        post_delete.connect(delete_files_with_row, sender=Photo, dispatch_uid="photo_files")
