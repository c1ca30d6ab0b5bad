"""What Django's error reports (the 500 email to ADMINS, the log, DEBUG's page) may show."""

from django.views.debug import SafeExceptionReporterFilter


class WithoutPostedValues(SafeExceptionReporterFilter):
    """Hides the value of every posted field, on every request, DEBUG or not.

    The site's POSTs are sign-ins, profile edits, contact messages (health information) and
    admin forms: none is worth showing to whoever reads a report. @sensitive_post_parameters
    is not enough: it marks the request only once the view runs, so a failure before it (a
    middleware, the URL resolver) would report every field. The names stay, for debugging.
    """

    def is_active(self, request):
        # Also with DEBUG on: a developer's copy of real data is still real people's data.
        return True

    def get_post_parameters(self, request):
        if request is None:
            return {}
        return self.get_cleansed_multivaluedict(request, request.POST)

    def get_cleansed_multivaluedict(self, request, multivaluedict):
        # Any MultiValueDict in a frame's variables is a request's data: hidden the same way.
        cleansed = multivaluedict.copy()
        for key in cleansed:
            cleansed.setlist(key, [self.cleansed_substitute])
        return cleansed
