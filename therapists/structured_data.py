"""schema.org data about a profile, for search engines (emitted as JSON-LD)."""


def person_data(request, therapist, modalities):
    """A schema.org Person; reads the primary license and location, which the profile view
    prefetches (elsewhere each costs a query), and the names of the modalities given."""
    data = {
        "@context": "https://schema.org",
        "@type": "Person",
        "name": therapist.display_name,
        "url": request.build_absolute_uri(therapist.get_absolute_url()),
    }
    if license := therapist.primary_license:
        data["jobTitle"] = license.credential.translated("name")
    if location := therapist.primary_location:
        address = {
            "@type": "PostalAddress",
            "streetAddress": location.street_address,
            "addressLocality": location.city.name,
            "addressRegion": location.city.state,
            "postalCode": location.postal_code,
            "addressCountry": "US",
        }
        data["address"] = {key: value for key, value in address.items() if value}
    if names := [modality.name for modality in modalities]:
        data["knowsAbout"] = names
    # Only what the therapist chose to publish on the page itself.
    if therapist.phone:
        data["telephone"] = therapist.phone
    if therapist.email:
        data["email"] = therapist.email
    return data
