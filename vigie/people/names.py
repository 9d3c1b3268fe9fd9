"""Find people by name without storing names in clear: a blind index of name words.

Each word of a person's first and last names is normalised (lower case, accents
removed, split on spaces, hyphens and apostrophes) and stored only as a keyed
HMAC (``NameWord``). A search normalises the words typed the same way and asks for
the people holding every one of them: « jean-pierre dupont », « Dupont Jean » and
« DUPONT » all find Jean-Pierre Dupont, while the database never holds a name
(R30). Whole words only: a prefix index would let anyone with the database count
how many names start with each letter.
"""

from __future__ import annotations

import re
import unicodedata

from django.db.models import Count, QuerySet

from vigie.lib import crypto, keyring
from vigie.people.models import NameWord, Person

# Letters and digits of any script, once accents are split off and dropped.
_WORD = re.compile(r"[^\W_]+")
#: Words typed beyond this are ignored: a search box is not a place for a paragraph.
MAX_QUERY_WORDS = 6


def name_words(*names: str) -> list[str]:
    """The normalised words of ``names``, each once, in order."""
    words: list[str] = []
    for name in names:
        decomposed = unicodedata.normalize("NFKD", name or "")
        bare = "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()
        words += _WORD.findall(bare)
    return list(dict.fromkeys(words))


def word_index(word: str) -> str:
    return crypto.blind_index(keyring.index_key(), "name:" + word)


def name_word_rows(person: Person, first_name: str, last_name: str) -> list[NameWord]:
    return [
        NameWord(person=person, word_index=word_index(w)) for w in name_words(first_name, last_name)
    ]


def people_named(query: str) -> QuerySet[Person] | None:
    """Live people whose name holds every word of ``query``; None when it has no word."""
    indexes = {word_index(w) for w in name_words(query)[:MAX_QUERY_WORDS]}
    if not indexes:
        return None
    matching = (
        NameWord.objects.filter(word_index__in=indexes)
        .values("person")
        .annotate(found=Count("word_index", distinct=True))
        .filter(found=len(indexes))
        .values("person")
    )
    return Person.objects.filter(pk__in=matching, shredded_at__isnull=True)
