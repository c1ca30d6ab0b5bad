"""A listing's name as a join may write it, and as the review compares it with the names
already listed: anyone can type a real therapist's name, and a look-alike (a zero-width
space, fullwidth letters, a Cyrillic e (U+0435), an accent, "Dr." or ", LMFT") must not hide the
real listing from the reviewer."""

import re
import unicodedata

# Alphabets with letters that look alike: a word mixing them is a disguise, not a name.
LOOK_ALIKE_ALPHABETS = {"LATIN", "CYRILLIC", "GREEK"}
TITLES = {"dr", "mr", "mrs", "ms", "mx", "prof"}


def plain_name(text):
    """The name as stored: compatibility forms folded (fullwidth S, U+FF33, is "S"), invisible
    format characters dropped, single spaces."""
    text = unicodedata.normalize("NFKC", text)
    text = "".join(character for character in text if unicodedata.category(character) != "Cf")
    return " ".join(text.split())


def word_mixing_alphabets(text):
    """The first word that mixes letters of alphabets that look alike (a Latin name with a
    Cyrillic e, U+0435, in it), or None."""
    for word in text.split():
        alphabets = {
            unicodedata.name(letter, "").split(" ")[0] for letter in word if letter.isalpha()
        }
        if len(alphabets & LOOK_ALIKE_ALPHABETS) > 1:
            return word
    return None


def name_key(name):
    """A name as compared: plain, before any comma (", LMFT"), without accents, case,
    punctuation or a leading title ("Dr. Steven Sū" is "steven su")."""
    name = plain_name(name).split(",")[0]
    name = "".join(
        character
        for character in unicodedata.normalize("NFKD", name)
        if not unicodedata.combining(character)
    )
    words = re.findall(r"\w+", name.casefold())
    while words and words[0] in TITLES:
        words.pop(0)
    return " ".join(words)
