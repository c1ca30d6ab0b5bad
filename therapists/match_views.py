import dataclasses

from django.shortcuts import redirect, render
from django.utils.cache import add_never_cache_headers, patch_cache_control
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from kit import limits
from kit.clients import client_network
from therapists import match_results
from therapists.match import MatchForm, find_matches, nobody_found
from therapists.models import Therapist
from therapists.search import current_index, index_lock


# Exempt from CSRF on purpose: the form only reads and keeps a ranking no one else can find
# (nothing a forged request could abuse), and a CSRF token would need a cookie, while
# anonymous visitors get none.
@csrf_exempt
@require_http_methods(["GET", "HEAD", "POST"])
def match(request):
    """The questions; after a POST, a redirect (303) to the ranked matches' own page.

    Answers come by POST so they never appear in an address, the browser's history or a
    server log, and they are kept nowhere: no session, no cookie, and of the results only
    the ranking (therapists.match_results). The results page is a GET, so Back from a
    profile returns to it instead of asking to send the form again.
    """
    context = {"nobody_found": None}
    with index_lock():
        index = current_index()
        if request.method != "POST":
            # The modality page links here with ?modality=<slug> to preselect it.
            context["form"] = MatchForm(
                initial={"modality": request.GET.get("modality", "")},
                vocabulary=index.vocabulary,
            )
            return render(request, "therapists/match.html", context)
        form = MatchForm(request.POST, vocabulary=index.vocabulary)
        matches = find_matches(form.cleaned_data, index) if form.is_valid() else None
    if matches and limits.authorize_match_result(client_network(request)):
        return redirect_see_other("match_results", key=match_results.keep(matches))
    if matches:
        # Past a network's daily allowance of kept results the matches are shown, not kept:
        # rows no one can flood, at the cost of Back asking to send the form again.
        ranking = [(match.therapist.pk, len(match.met)) for match in matches]
        response = render_results(request, ranking, matches[0].needs)
        add_never_cache_headers(response)
        return response
    if matches is not None:
        context["nobody_found"] = nobody_found(form.cleaned_data)
    context["form"] = form
    response = render(request, "therapists/match.html", context)
    # The page holds the person's answers: no browser or proxy may keep a copy.
    add_never_cache_headers(response)
    return response


def render_results(request, ranking, needs):
    """The matches page for `ranking`, [(listing id, needs it meets)], best first."""
    cards = {t.pk: t for t in Therapist.objects.cards([pk for pk, _met in ranking])}
    matches = [RankedMatch(cards[pk], met, needs) for pk, met in ranking if pk in cards]
    context = {"matches": matches, "needs": needs, "listing": {"canonical": request.path}}
    return render(request, "therapists/match_results.html", context)


def redirect_see_other(*args, **kwargs):
    response = redirect(*args, **kwargs)
    response.status_code = 303  # the next request is a GET, whatever the form's method
    return response


@dataclasses.dataclass
class RankedMatch:
    therapist: Therapist
    met: int
    needs: int


@require_http_methods(["GET", "HEAD"])
def results(request, key):
    """The matches kept under `key`, best first; a page that says they are gone (410)
    once their day is past, with the questions a click away."""
    kept = match_results.kept(key)
    if kept is None:
        return render(request, "therapists/match_gone.html", status=410)
    response = render_results(request, kept.ranking, kept.needs)
    # It names no answer, only therapists: the browser may keep it for Back, privately;
    # the site's page cache never stores it (the view declares no page_cache_params).
    patch_cache_control(response, private=True, max_age=int(match_results.KEPT_FOR.total_seconds()))
    return response
