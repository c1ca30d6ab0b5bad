from django.db import models


class RateLimit(models.Model):
    """How often one thing counted by a limit happened in one window of time (kit.limits).
    `key` is a keyed hash of what is counted: never an address, an email or a listing."""

    key = models.CharField(max_length=64)
    window_start = models.DateTimeField()
    hits = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["window_start", "key"]
        constraints = [
            models.UniqueConstraint(fields=["key", "window_start"], name="ratelimit_key_window")
        ]
        indexes = [models.Index(fields=["window_start"], name="ratelimit_window_idx")]

    def __str__(self):
        return f"{self.hits} since {self.window_start:%Y-%m-%d %H:%M}"
