"""The admin under the site's own name, with the review queue and, on its index, the
count of what waits for staff."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _


class DirectoryAdminSite(admin.AdminSite):
    site_header = _("Therapist Directory administration")
    site_title = _("Therapist Directory administration")
    index_title = _("Therapist Directory administration")
    index_template = "admin/directory_index.html"

    def get_urls(self):
        from therapists import review_admin

        return [*review_admin.urls(self), *super().get_urls()]

    def index(self, request, extra_context=None):
        from therapists import review_admin

        summary = review_admin.waiting_summary(request.user)
        waiting = review_admin.describe_counts(summary) if summary else ""
        return super().index(request, {"waiting": waiting, **(extra_context or {})})
