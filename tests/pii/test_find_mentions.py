"""find_mentions: where a given person is mentioned in a ticket (Art. 15 access)."""

from __future__ import annotations

from vigie.pii.findings import Kind
from vigie.pii.mentions import Identifiers, find_mentions

THREAD = (
    "Appel de M. Jean-Luc Dupont (JL.Dupont@Exemple.fr), rappeler au +33 6 12 34 56 78. "
    "Sa collègue Claire Petit (claire.petit@exemple.fr, 07 81 23 45 67) est en copie. "
    "DUPONT Jean-Luc confirme ; IBAN FR76 3000 6000 0112 3456 7890 189."
)


def mentioned(identifiers: list[str]) -> list[tuple[Kind, str]]:
    return [(f.kind, f.text) for f in find_mentions(THREAD, identifiers)]


def test_a_person_is_found_by_e_mail_phone_and_name_whatever_the_spelling() -> None:
    found = mentioned(["jl.dupont@exemple.FR", "06.12.34.56.78", "Jean-Luc Dupont"])
    assert found == [
        (Kind.PERSON, "Jean-Luc Dupont"),
        (Kind.EMAIL, "JL.Dupont@Exemple.fr"),
        (Kind.PHONE_MOBILE, "+33 6 12 34 56 78"),
        (Kind.PERSON, "DUPONT Jean-Luc"),
    ]


def test_another_persons_identifiers_are_not_mentions_of_this_one() -> None:
    found = mentioned(["claire.petit@exemple.fr", "+33781234567", "Claire Petit"])
    assert [kind for kind, _ in found] == [Kind.PERSON, Kind.EMAIL, Kind.PHONE_MOBILE]
    assert "Dupont" not in " ".join(text for _, text in found)


def test_a_number_given_with_other_spacing_is_found() -> None:
    found = mentioned(["FR7630006000011234567890189"])
    assert found == [(Kind.IBAN, "FR76 3000 6000 0112 3456 7890 189")]


def test_names_match_without_accents_or_case() -> None:
    found = find_mentions("Dossier suivi par HÉLÈNE LEFÈVRE.", ["Helene Lefevre"])
    assert [f.text for f in found] == ["HÉLÈNE LEFÈVRE"]


def test_a_name_inside_a_longer_word_is_not_a_mention() -> None:
    assert find_mentions("Le Petitjean est arrivé.", ["Petit"]) == []


def test_identifiers_are_sorted_by_what_they_look_like() -> None:
    person = Identifiers.parse(
        ["A@B.fr", "06 12 34 56 78", "1 85 05 78 006 084 91", "Zoé Durand", ""]
    )
    assert person.emails == {"a@b.fr"}
    assert person.phones == {"+33612345678"}
    assert person.numbers == {"185057800608491"}
    assert person.names == ("zoe durand",)
