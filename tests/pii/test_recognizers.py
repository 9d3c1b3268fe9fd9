"""Each built-in recognizer, with the values it must find and those it must leave."""

from __future__ import annotations

import itertools

import pytest

from vigie.pii.builtin import BuiltinScanner
from vigie.pii.findings import Kind

IBAN_FR = "FR7630006000011234567890189"
IBAN_DE = "DE89 3704 0044 0532 0130 00"
IBAN_GB = "gb82 west 1234 5698 7654 32"
STRIPE = "sk_live_4eC39HqLyjWDarjtT1zdp7dc"
BEARER = "abcdefghijklmnopqrstuvwxyz012345"


def scan(text: str) -> list[tuple[Kind, str, str]]:
    return [(f.kind, f.text, f.normalized) for f in BuiltinScanner().scan(text)]


@pytest.mark.parametrize(
    ("text", "kind", "value", "normalized"),
    [
        ("Jo.Dupont@Exemple.FR.", Kind.EMAIL, "Jo.Dupont@Exemple.FR", "jo.dupont@exemple.fr"),
        ("cc: a.b+tag@sous.domaine.co.uk", Kind.EMAIL, "a.b+tag@sous.domaine.co.uk", None),
        ("tél 06 12 34 56 78", Kind.PHONE_MOBILE, "06 12 34 56 78", "+33612345678"),
        ("tél 07.81.23.45.67", Kind.PHONE_MOBILE, "07.81.23.45.67", "+33781234567"),
        ("tél +33 6 12 34 56 78", Kind.PHONE_MOBILE, "+33 6 12 34 56 78", "+33612345678"),
        ("tél +33 (0)6 12 34 56 78", Kind.PHONE_MOBILE, "+33 (0)6 12 34 56 78", "+33612345678"),
        ("tél 0033612345678", Kind.PHONE_MOBILE, "0033612345678", "+33612345678"),
        ("standard 01 42 68 53 00", Kind.PHONE_FIXED, "01 42 68 53 00", "+33142685300"),
        ("standard +33 1 42 68 53 00", Kind.PHONE_FIXED, "+33 1 42 68 53 00", "+33142685300"),
        ("box 09 70 12 34 56", Kind.PHONE_OTHER, "09 70 12 34 56", "+33970123456"),
        ("NIR 185057800608491", Kind.NIR, "185057800608491", "185057800608491"),
        ("NIR 1 85 05 78 006 084 91", Kind.NIR, "1 85 05 78 006 084 91", "185057800608491"),
        ("NIR 1 85 05 2A 006 084 35", Kind.NIR, "1 85 05 2A 006 084 35", "185052A00608435"),
        ("SIREN 732 829 320", Kind.SIREN, "732 829 320", "732829320"),
        ("SIRET 732 829 320 00074", Kind.SIRET, "732 829 320 00074", "73282932000074"),
        ("SIRET 73282932000074", Kind.SIRET, "73282932000074", "73282932000074"),
        (f"IBAN {IBAN_FR}", Kind.IBAN, IBAN_FR, None),
        ("IBAN : DE89 3704 0044 0532 0130 00 EUR", Kind.IBAN, IBAN_DE, "DE89370400440532013000"),
        ("iban gb82 west 1234 5698 7654 32", Kind.IBAN, IBAN_GB, "GB82WEST12345698765432"),
        ("poste 192.168.1.20.", Kind.IPV4, "192.168.1.20", "192.168.1.20"),
        ("vu depuis 2001:db8::1 hier", Kind.IPV6, "2001:db8::1", "2001:db8::1"),
        ("vu depuis ::ffff:203.0.113.5", Kind.IPV6, "::ffff:203.0.113.5", "::ffff:cb00:7105"),
        ("carte 4970 1012 3456 7893", Kind.CARD, "4970 1012 3456 7893", "4970101234567893"),
        ("carte 4970-1012-3456-7893", Kind.CARD, "4970-1012-3456-7893", "4970101234567893"),
        ("amex 3782 822463 10005", Kind.CARD, "3782 822463 10005", "378282246310005"),
        ("mc 5555555555554444", Kind.CARD, "5555555555554444", "5555555555554444"),
        ("CVV : 123", Kind.CARD_CODE, "123", "123"),
        ("cryptogramme visuel 4567", Kind.CARD_CODE, "4567", "4567"),
        ("password: hunter2", Kind.SECRET, "hunter2", "hunter2"),
        ("Mot de passe : Azerty123!", Kind.SECRET, "Azerty123!", "Azerty123!"),
        ("mdp=S3cr3t.", Kind.SECRET, "S3cr3t", "S3cr3t"),
        ('{"pwd": "p4ss"}', Kind.SECRET, "p4ss", "p4ss"),
        (f"clé {STRIPE}", Kind.SECRET, STRIPE, None),
        ("ghp_" + "a1B2" * 9, Kind.SECRET, "ghp_" + "a1B2" * 9, None),
        ("AKIAIOSFODNN7EXAMPLE", Kind.SECRET, "AKIAIOSFODNN7EXAMPLE", None),
        (f"Authorization: Bearer {BEARER}", Kind.SECRET, BEARER, None),
    ],
)  # fmt: skip
def test_each_recognizer_finds_its_identifier(
    text: str, kind: Kind, value: str, normalized: str | None
) -> None:
    assert scan(text) == [(kind, value, value if normalized is None else normalized)]


@pytest.mark.parametrize(
    "text",
    [
        "adresse@invalide",  # no domain
        "le 12/03/2026 à 09:42:10",  # a date and a time
        "tél 06 12 34 56",  # too short
        "tél 00 12 34 56 78",  # no French number starts with 00 after the trunk 0
        "NIR 1 85 05 78 006 084 92",  # wrong key
        "NIR 185057800608",  # no key
        "SIREN 732 829 321",  # Luhn fails
        "SIRET 732 829 321 00074",  # Luhn fails
        "dossier 85 05 78 006",  # a Luhn-valid 9 digits, not written as a SIREN
        "IBAN FR76 3000 6000 0112 3456 7890 188",  # mod 97 fails
        "IBAN XX76 3000 6000 0112 3456 7890 189",  # no such country
        "version 1.2.3, 256.1.1.1, 10.0.0.999",  # no IPv4
        "127.0.0.1 et ::1 et 0.0.0.0",  # loopback and unspecified: nobody behind
        "MAC 00:1a:2b:3c:4d:5e",  # not an IPv6 address
        "carte 4970 1012 3456 7894",  # Luhn fails
        "facture 1000 0000 0000 0009",  # Luhn holds, but no card network starts with 1
        "réf INV4970101234567893",  # inside a reference
        "le mot de passe a été changé",  # no value after a colon
        "sk_live_court",  # too short to be a key
        "CVV requis",  # no code
    ],
)
def test_recognizers_leave_what_is_not_a_valid_identifier(text: str) -> None:
    assert scan(text) == []


def test_a_siret_is_not_also_reported_as_its_siren() -> None:
    assert [k for k, _, _ in scan("SIRET 732 829 320 00074")] == [Kind.SIRET]


def test_a_card_number_is_not_also_a_phone_number_or_a_siren() -> None:
    # 0612345678 inside a Maestro-like number, and a Luhn-valid 9-digit prefix.
    text = "carte 6012 3456 7890 1232"
    assert [k for k, _, _ in scan(text)] in ([Kind.CARD], [])
    assert Kind.PHONE_MOBILE not in [k for k, _, _ in scan(text)]
    assert [k for k, _, _ in scan("carte 4970 1012 3456 7893")] == [Kind.CARD]


def test_a_secret_value_that_looks_like_a_phone_number_is_a_secret() -> None:
    assert scan("mdp: 0612345678") == [(Kind.SECRET, "0612345678", "0612345678")]


def test_a_company_word_before_a_siren_makes_the_guess_firmer() -> None:
    with_context = BuiltinScanner().scan("SIREN 732 829 320")
    without = BuiltinScanner().scan("dossier 732 829 320")
    assert with_context[0].score == 1.0 and without[0].score < 1.0


def test_findings_come_sorted_by_position_and_never_overlap() -> None:
    text = "06 12 34 56 78, a@b.fr, 4970 1012 3456 7893, SIRET 732 829 320 00074, 192.0.2.7"
    findings = BuiltinScanner().scan(text)
    assert [f.start for f in findings] == sorted(f.start for f in findings)
    for first, second in itertools.pairwise(findings):
        assert first.end <= second.start
    assert len(findings) == 5


def test_a_finding_does_not_show_its_value_in_its_repr() -> None:
    (finding,) = BuiltinScanner().scan("password: hunter2")
    assert "hunter2" not in repr(finding)
