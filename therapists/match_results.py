"""Find Your Match's results, kept for a day under a random key so that Back (and a
profile's "Back to your matches") returns to them with a GET, never a form sent again.

What is kept is the ranking alone: the matches' ids, how many of the person's needs each
meets and how many needs there were. Never the answers: no concern, place, language,
budget or plan, nor the labels that would name them; no cookie, no address.
"""

import datetime
import re
import secrets

from django.db import models
from django.utils import timezone

KEPT_FOR = datetime.timedelta(days=1)
# 16 random bytes, written in 22 URL-safe characters: not to be guessed or listed.
KEY_BYTES = 16
KEY_PATTERN = r"[A-Za-z0-9_-]{22}"


class MatchResultQuerySet(models.QuerySet):
    def expired(self, now=None):
        return self.filter(created_at__lte=(now or timezone.now()) - KEPT_FOR)


class MatchResult(models.Model):
    key = models.CharField(max_length=32, primary_key=True)
    # [[therapist id, needs it meets], ...], best first.
    ranking = models.JSONField()
    needs = models.PositiveSmallIntegerField()
    created_at = models.DateTimeField(default=timezone.now)

    objects = MatchResultQuerySet.as_manager()

    class Meta:
        app_label = "therapists"
        ordering = ["created_at"]
        indexes = [models.Index(fields=["created_at"], name="matchresult_created_idx")]

    def __str__(self):
        return f"Match results of {self.created_at:%Y-%m-%d %H:%M}"


def keep(matches):
    """Keeps the ranking of `matches` (therapists.match.Match) and returns its key; the
    results past their day go at the same time (and daily, with delete_old_messages)."""
    MatchResult.objects.expired().delete()
    result = MatchResult.objects.create(
        key=secrets.token_urlsafe(KEY_BYTES),
        ranking=[[match.therapist.pk, len(match.met)] for match in matches],
        needs=matches[0].needs if matches else 0,
    )
    return result.key


def kept(key):
    """The result under `key` still within its day, or None; a key we would never write
    (a null character, say, which PostgreSQL refuses to compare) is not looked up."""
    if not re.fullmatch(KEY_PATTERN, key):
        return None
    return MatchResult.objects.filter(key=key, created_at__gt=timezone.now() - KEPT_FOR).first()
