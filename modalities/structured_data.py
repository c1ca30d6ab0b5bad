"""schema.org data about a modality page, for search engines (emitted as JSON-LD)."""

from modalities.translation import edition_language


def modality_data(request, modality):
    """A schema.org MedicalWebPage about the modality as a MedicalTherapy."""
    name = modality.translated("name")
    therapy = {"@type": "MedicalTherapy", "name": name}
    if modality.abbreviation and modality.abbreviation != name:
        therapy["alternateName"] = modality.abbreviation
    data = {
        "@context": "https://schema.org",
        "@type": "MedicalWebPage",
        "name": modality.full_name,
        "inLanguage": edition_language(),
        "url": request.build_absolute_uri(modality.get_absolute_url()),
        "about": therapy,
    }
    if paragraphs := modality.overview_paragraphs:
        data["description"] = paragraphs[0]
    if modality.reviewed_on:
        data["lastReviewed"] = modality.reviewed_on.isoformat()
    return data
