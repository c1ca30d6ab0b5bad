from modalities.terms import linked, load_terms


def profile_terms(therapist):
    """What a profile lists from six vocabularies, in one query: {kind: [Term, ...]}."""
    return load_terms(
        linked(therapist, "modalities", "modalities", abbreviation=True, is_published=True),
        linked(therapist, "concerns", "concerns"),
        linked(therapist, "languages", "languages"),
        linked(therapist, "formats", "formats", position=True),
        linked(therapist, "age_groups", "ages", position=True),
        linked(therapist, "insurance_plans", "insurance"),
    )
