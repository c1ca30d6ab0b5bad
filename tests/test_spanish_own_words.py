"""Therapists' own words on the Spanish edition: their statements and quotes stay in the
language they wrote them, labelled where the page is in another; a Spanish version of each
is theirs to add, reviewed like the English one; cards say "Speaks Spanish"."""

import re

import pytest
from django.utils.html import escape
from django.utils.translation import gettext, override

from directory import editions
from modalities.translation import TEXT_LANGUAGES
from tests.conftest import (
    make_modality,
    make_therapist,
    make_therapist_with_account,
    page_text,
)
from tests.live_http import form_fields, replace
from tests.test_profile_editing import as_browser_sends
from tests.test_review_queue import decide, item_url, open_item, send, sent_to, staff
from therapists.models import Language, Quote, Therapist
from therapists.search import current_index

MODALITY = "/modalities/interpersonal-therapy/"
QUOTE_EN = "/profile/quotes/interpersonal-therapy/"
QUOTE_ES = "/profile/quotes/interpersonal-therapy/es/"
ENGLISH_WORDS = "Fictional words on how the approach helps."
SPANISH_WORDS = "Palabras ficticias sobre cómo ayuda este enfoque."
LISTING = "/therapists/"


@pytest.fixture
def modality(db):
    # Its curated texts in Spanish too: any "written in" label on its Spanish page is a quote's.
    return make_modality(
        "Interpersonal Therapy", "IPT", name_es="Terapia Interpersonal", overview_es="Una terapia."
    )


@pytest.fixture
def ana(modality):
    """A therapist with an account and a live English quote on the modality."""
    return make_therapist_with_account(
        "Fictional Ana Ruiz", "ana@example.org", modalities=[modality], quote=ENGLISH_WORDS
    )


@pytest.fixture
def signed_in(client, ana):
    client.force_login(ana.user)
    return client


@pytest.fixture
def reviewer(db):
    return staff("reviewer", "review_quote", "view_pendingquote")


def get_in_edition(language, client, url):
    """The page as its edition in `language` draws it: the URL alone picks the language."""
    return client.get(editions.path_in_edition(url, language))


def written_in(language):
    """The label the Spanish edition puts on a text written in `language`, as translated."""
    with override("es"):
        return gettext("Written in %(language)s") % {"language": TEXT_LANGUAGES[language]}


def quote_of(therapist, language):
    return Quote.objects.get(
        therapist=therapist, modality__slug="interpersonal-therapy", language=language
    )


def spanish_quote(therapist, text=SPANISH_WORDS, **fields):
    return Quote.objects.create(
        therapist=therapist,
        modality=therapist.modalities.get(),
        language="es",
        text=text,
        **fields,
    )


def test_it_sends_a_spanish_quote_for_review_and_shows_it_in_spanish_once_approved(
    signed_in, ana, client, reviewer
):
    response = signed_in.post(QUOTE_ES, {"action": "submit", "text": SPANISH_WORDS})
    assert response.status_code == 302
    draft = quote_of(ana, "es")
    assert (draft.draft, draft.draft_status, draft.text) == (SPANISH_WORDS, "pending", "")
    assert quote_of(ana, "en").status == "live"  # the English quote is another row
    # Pending: the Spanish edition still shows the English quote, labelled.
    assert ENGLISH_WORDS in page_text(get_in_edition("es", client, MODALITY))

    done = decide(client, reviewer, "quote", draft.pk, "approve-form")
    assert "Quote in Spanish of Fictional Ana Ruiz on Interpersonal Therapy is live." in (
        page_text(done)
    )
    [notice] = sent_to("ana@example.org")
    assert "Interpersonal Therapy, in Spanish" in notice.body
    assert "https://directory.example.org/profile/quotes/interpersonal-therapy/es/" in notice.body

    client.logout()
    for url in (MODALITY, ana.get_absolute_url()):
        spanish = get_in_edition("es", client, url)
        assert SPANISH_WORDS in page_text(spanish)
        assert ENGLISH_WORDS not in page_text(spanish)
        assert 'class="written-in"' not in spanish.content.decode()
        english = get_in_edition("en", client, url)
        assert ENGLISH_WORDS in page_text(english)
        assert SPANISH_WORDS not in page_text(english)


def test_it_labels_a_quote_shown_in_the_other_language(client, ana, modality):
    spanish = get_in_edition("es", client, MODALITY).content.decode()
    assert f'<blockquote lang="en"><p>{ENGLISH_WORDS}</p></blockquote>' in spanish
    assert escape(written_in("en")) in spanish

    only_spanish = make_therapist("Fictional Bea Sol", modalities=[modality])
    spanish_quote(only_spanish)
    english = get_in_edition("en", client, only_spanish.get_absolute_url()).content.decode()
    assert f'<blockquote lang="es"><p>{escape(SPANISH_WORDS)}</p></blockquote>' in english
    assert 'class="written-in">Written in Spanish<' in english


def test_it_sends_back_one_languages_draft_and_leaves_the_others_alone(
    signed_in, ana, client, reviewer
):
    signed_in.post(QUOTE_EN, {"action": "submit", "text": "Fresh fictional English words."})
    signed_in.post(QUOTE_ES, {"action": "submit", "text": SPANISH_WORDS})
    spanish = quote_of(ana, "es")

    decide(
        client,
        reviewer,
        "quote",
        spanish.pk,
        "send-back-form",
        **{"send_back-reason": "Más corto, por favor."},
    )

    spanish.refresh_from_db()
    english = quote_of(ana, "en")
    assert (spanish.draft_status, spanish.review_reason) == ("sent_back", "Más corto, por favor.")
    assert (english.draft_status, english.text) == ("pending", ENGLISH_WORDS)
    [notice] = sent_to("ana@example.org")
    assert "Interpersonal Therapy, in Spanish, back" in notice.body

    decide(client, reviewer, "quote", english.pk, "approve-form")
    spanish.refresh_from_db()
    assert (spanish.draft_status, spanish.draft) == ("sent_back", SPANISH_WORDS)
    assert quote_of(ana, "en").text == "Fresh fictional English words."

    client.force_login(ana.user)
    dashboard = client.get("/profile/").content.decode()
    english_part = dashboard.split('id="quote-interpersonal-therapy-en"')[1].split("</div>")[0]
    spanish_part = dashboard.split('id="quote-interpersonal-therapy-es"')[1].split("</div>")[0]
    assert "Live" in english_part and f'href="{QUOTE_EN}"' in english_part
    assert "Sent back" in spanish_part and "Más corto, por favor." in spanish_part
    assert f'href="{QUOTE_ES}"' in spanish_part


def test_it_approves_neither_language_with_the_other_languages_reading(
    signed_in, ana, client, reviewer
):
    signed_in.post(QUOTE_EN, {"action": "submit", "text": "Fresh fictional English words."})
    signed_in.post(QUOTE_ES, {"action": "submit", "text": SPANISH_WORDS})
    spanish = quote_of(ana, "es")
    opened = open_item(client, reviewer, "quote", spanish.pk)
    # The therapist replaces the Spanish draft while the reviewer reads the old one.
    spanish.submit("Otras palabras, no leídas.")

    send(opened, "approve-form", client, "quote", spanish.pk)
    spanish.refresh_from_db()
    assert (spanish.text, spanish.draft_status) == ("", "pending")
    assert spanish.draft == "Otras palabras, no leídas."

    decide(client, reviewer, "quote", quote_of(ana, "en").pk, "approve-form")
    assert quote_of(ana, "en").text == "Fresh fictional English words."
    assert quote_of(ana, "es").draft_status == "pending"


def test_it_shows_the_review_queue_the_language_of_each_draft(signed_in, ana, client, reviewer):
    signed_in.post(QUOTE_ES, {"action": "submit", "text": SPANISH_WORDS})
    client.force_login(reviewer)
    queue = page_text(client.get("/admin/review/"))
    assert "Quote on Interpersonal Therapy, in Spanish" in queue
    item = client.get(item_url("quote", quote_of(ana, "es").pk)).content.decode()
    assert "Written in Spanish" in item
    assert 'class="review-text" lang="es"' in item


def test_it_shows_the_other_languages_live_quote_beside_the_one_edited(signed_in, ana):
    spanish_quote(ana)
    spanish_page = signed_in.get(QUOTE_ES)
    assert spanish_page.context["form"]["text"].value() == SPANISH_WORDS
    assert "Your live quote in English, for reference" in page_text(spanish_page)
    assert ENGLISH_WORDS in page_text(spanish_page)
    assert 'lang="es"' in str(spanish_page.context["form"]["text"])
    english_page = signed_in.get(QUOTE_EN)
    assert english_page.context["form"]["text"].value() == ENGLISH_WORDS
    assert "Your live quote in Spanish, for reference" in page_text(english_page)


def test_it_withdraws_only_the_draft_of_the_language_edited(signed_in, ana):
    signed_in.post(QUOTE_EN, {"action": "submit", "text": "Fresh fictional English words."})
    signed_in.post(QUOTE_ES, {"action": "submit", "text": SPANISH_WORDS})
    signed_in.post(QUOTE_ES, {"action": "withdraw"})
    assert quote_of(ana, "es").draft_status == "none"
    assert quote_of(ana, "en").draft_status == "pending"


def test_it_counts_a_therapist_quoted_in_both_languages_once(client, ana, modality):
    spanish_quote(ana)
    assert current_index().quoted_specialists(modality.pk, 12) == [ana.pk]
    for language in ("en", "es"):
        page = get_in_edition(language, client, MODALITY)
        assert page.context["specialist_count"] == 1
        assert [quote.therapist_id for quote in page.context["quotes"]] == [ana.pk]
        assert len(re.findall('<figure class="quote">', page.content.decode())) == 1


def test_it_saves_the_spanish_statement_only_when_the_therapist_changed_it(signed_in, ana):
    page = signed_in.get("/profile/edit/").content.decode()
    assert "Headline in Spanish (optional)" in page
    assert "About you in Spanish (optional)" in page
    shown = form_fields(page, having="bio_es")
    # Staff correct the Spanish bio while the therapist has the form open.
    Therapist.objects.filter(pk=ana.pk).update(bio_es="Corregido por el personal.")

    sent = replace(shown, headline_es="Ayuda tranquila y práctica.")
    assert signed_in.post("/profile/edit/", as_browser_sends(sent)).status_code == 302
    ana.refresh_from_db()
    assert ana.headline_es == "Ayuda tranquila y práctica."
    assert ana.bio_es == "Corregido por el personal."

    page = signed_in.get("/profile/edit/").content.decode()
    sent = replace(form_fields(page, having="bio_es"), bio_es="Trabajo con adultos.")
    assert signed_in.post("/profile/edit/", as_browser_sends(sent)).status_code == 302
    ana.refresh_from_db()
    assert (ana.headline_es, ana.bio_es) == ("Ayuda tranquila y práctica.", "Trabajo con adultos.")


def test_it_shows_each_edition_the_statement_written_for_it(client, ana):
    Therapist.objects.filter(pk=ana.pk).update(
        headline="Calm fictional help.", bio="I work with adults.", headline_es="Ayuda serena."
    )
    spanish_card = get_in_edition("es", client, LISTING).content.decode()
    assert '<p class="statement">Ayuda serena.</p>' in spanish_card
    spanish_profile = get_in_edition("es", client, ana.get_absolute_url()).content.decode()
    assert '<p class="lead">Ayuda serena.</p>' in spanish_profile
    # No Spanish bio: the English one, marked as such.
    assert '<div lang="en"><p>I work with adults.</p></div>' in spanish_profile
    assert escape(written_in("en")) in spanish_profile

    english_card = get_in_edition("en", client, LISTING).content.decode()
    assert '<p class="statement">Calm fictional help.</p>' in english_card
    assert (
        "Ayuda serena." not in get_in_edition("en", client, ana.get_absolute_url()).content.decode()
    )

    Therapist.objects.filter(pk=ana.pk).update(headline="", bio="")
    only_spanish = get_in_edition("en", client, LISTING).content.decode()
    assert '<p class="statement" lang="es">Ayuda serena.</p>' in only_spanish
    assert 'class="written-in">Written in Spanish<' in only_spanish


def test_it_says_speaks_spanish_on_the_cards_of_therapists_who_offer_it(client, ana, modality):
    spanish = Language.objects.create(name="Spanish", slug="spanish")
    french = Language.objects.create(name="French", slug="french")
    ana.languages.set([spanish, french])
    make_therapist("Fictional Cleo Mar", modalities=[modality]).languages.set([french])
    cards = page_text(client.get(LISTING)).split("View profile")
    [ana_card] = [card for card in cards if "Fictional Ana Ruiz" in card]
    [cleo_card] = [card for card in cards if "Fictional Cleo Mar" in card]
    assert "Speaks Spanish" in ana_card
    assert "Speaks Spanish" not in cleo_card
    with override("es"):
        speaks = gettext("Speaks Spanish")
    assert speaks in page_text(get_in_edition("es", client, LISTING))


@pytest.fixture
def both_languages(ana):
    """Ana's quote in both languages, her statements in both, and Spanish among her
    languages: whatever a page shows in either edition is there to show."""
    spanish_quote(ana, draft="Un borrador.", draft_status="pending")
    Therapist.objects.filter(pk=ana.pk).update(headline="Calm help.", headline_es="Ayuda.")
    ana.languages.set([Language.objects.create(name="Spanish", slug="spanish")])
    return ana


@pytest.mark.parametrize("language", ["en", "es"])
def test_the_public_pages_cost_the_same_queries_in_either_edition(
    client, both_languages, language, django_assert_num_queries
):
    # modality; its concerns, formats, ages and references; the search index's look at
    # the change log; the sampled quotes (both languages) with therapists; their primary
    # licenses; their primary locations
    with django_assert_num_queries(6):
        assert get_in_edition(language, client, MODALITY).status_code == 200
    # the search index's look at the change log; the cards (statements in both languages
    # and "Speaks Spanish" read with them); their modalities
    with django_assert_num_queries(3):
        assert get_in_edition(language, client, LISTING).status_code == 200
    # the therapist; licenses; locations; live quotes (both languages) with modalities;
    # modalities, concerns, languages, formats, ages and insurance
    with django_assert_num_queries(5):
        page = get_in_edition(language, client, both_languages.get_absolute_url())
        assert page.status_code == 200


@pytest.mark.parametrize("language", ["en", "es"])
def test_the_therapists_pages_cost_the_same_queries_in_either_edition(
    signed_in, both_languages, language, django_assert_num_queries
):
    # session, user, the listing (its photo in review read with it), primary license,
    # primary location, published modalities, concerns, languages, quotes (both
    # languages); a listed listing reads no join request
    with django_assert_num_queries(9):
        assert get_in_edition(language, signed_in, "/profile/").status_code == 200
    # session, user, the listing, primary license, primary location, the modality,
    # whether the therapist practises it, both languages' quotes on it
    for url in (QUOTE_EN, QUOTE_ES):
        with django_assert_num_queries(8):
            assert get_in_edition(language, signed_in, url).status_code == 200


@pytest.mark.parametrize("language", ["en", "es"])
def test_the_review_item_costs_the_same_queries_for_a_quote_in_either_language(
    client, both_languages, reviewer, language, django_assert_num_queries
):
    Quote.objects.filter(therapist=both_languages).update(
        draft="A fictional draft.", draft_status="pending"
    )
    url = item_url("quote", quote_of(both_languages, language).pk)
    client.force_login(reviewer)
    # session, user, own and group permissions, the quote with its therapist and modality
    with django_assert_num_queries(5):
        assert client.get(url).status_code == 200
