"""schema.org data about a modality page, for search engines (emitted as JSON-LD)."""


def modality_data(request, modality):
    """A schema.org MedicalWebPage about the modality as a MedicalTherapy."""
    therapy = {"@type": "MedicalTherapy", "name": modality.name}
    if modality.abbreviation and modality.abbreviation != modality.name:
        therapy["alternateName"] = modality.abbreviation
    data = {
        "@context": "https://schema.org",
        "@type": "MedicalWebPage",
        "name": modality.full_name,
        "url": request.build_absolute_uri(modality.get_absolute_url()),
        "about": therapy,
    }
    if paragraphs := modality.overview_paragraphs:
        data["description"] = paragraphs[0]
    if modality.reviewed_on:
        data["lastReviewed"] = modality.reviewed_on.isoformat()
    return data
