from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class DirectoryAdminConfig(admin_apps.AdminConfig):
    """Django's admin, with the site's own AdminSite as `admin.site`."""

    default = False
    default_site = "directory.admin_site.DirectoryAdminSite"


class DirectoryConfig(AppConfig):
    default = True  # for "directory" in INSTALLED_APPS; the admin's above is named in full
    default_auto_field = "django.db.models.BigAutoField"
    name = "directory"
    verbose_name = "Therapist directory"

    def ready(self):
        from django.apps import apps
        from django.core.signals import request_finished, request_started
        from django.db.models.signals import m2m_changed, post_delete, post_save
        from simple_history.models import HistoricalChanges

        from directory import checks  # noqa: F401 (registers the system checks)
        from directory.postgresql import serving
        from modalities.models import ContentVersion
        from modalities.versioned_cache import content_changed
        from therapists.models import (
            ContactMessage,
            ListingChange,
            ListingChangeCounter,
            ListingOrder,
            Quote,
            Therapist,
            rows_updated,
        )

        # Columns no public page shows: a draft waiting for review (or sent back, which is
        # an update() and sends nothing). A listing's account is shown (a listing with one
        # offers its contact form, one without says it is not claimed yet), so linking it
        # makes cached pages stale.
        private_fields = {
            Quote: frozenset(Quote.DRAFT_FIELDS),
            Therapist: frozenset({"updated_at"}),
        }

        def saved(sender, update_fields=None, **kwargs):
            private = private_fields.get(sender._meta.concrete_model, frozenset())
            if update_fields is None or not update_fields <= private:
                content_changed(**kwargs)

        def links_changed(action, **kwargs):
            if action.startswith("post_"):
                content_changed(**kwargs)

        # Rows that record changes rather than being content, and messages, which no public
        # page shows (a listing's reply time is saved on the listing, which does count).
        bookkeeping = {
            ContentVersion,
            ContactMessage,
            ListingChange,
            ListingChangeCounter,
            ListingOrder,
        }
        # A change to what public pages show makes every cached page stale (once it
        # commits; see content_changed). History rows only shadow such a change.
        for app_label in ("modalities", "therapists"):
            for model in apps.get_app_config(app_label).get_models():
                if issubclass(model, HistoricalChanges) or model in bookkeeping:
                    continue
                post_save.connect(saved, sender=model, weak=False)
                post_delete.connect(content_changed, sender=model, weak=False)
                for field in model._meta.local_many_to_many:
                    through = field.remote_field.through
                    m2m_changed.connect(links_changed, sender=through, weak=False)
        rows_updated.connect(content_changed, weak=False)

        # Connections opened to serve a request get its time limits (directory.postgresql).
        request_started.connect(serving.request_started, weak=False)
        request_finished.connect(serving.request_finished, weak=False)
