from django.shortcuts import render
from django.utils.cache import add_never_cache_headers
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from therapists.match import MatchForm, find_matches, nobody_found
from therapists.search import current_index, index_lock


# Exempt from CSRF on purpose: the form only reads (it changes nothing a forged request
# could abuse), and a CSRF token would need a cookie, while anonymous visitors get none.
@csrf_exempt
@require_http_methods(["GET", "HEAD", "POST"])
def match(request):
    """The questions, and after a POST the ranked matches.

    Answers come by POST so they never appear in an address, the browser's history or a
    server log, and they are kept nowhere: no session, no database row, no cookie.
    """
    context = {"matches": None}
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
        if form.is_valid():
            context["matches"] = find_matches(form.cleaned_data, index)
            context["nobody_found"] = nobody_found(form.cleaned_data)
    context["form"] = form
    response = render(request, "therapists/match.html", context)
    # The page holds the person's answers: no browser or proxy may keep a copy.
    add_never_cache_headers(response)
    return response
