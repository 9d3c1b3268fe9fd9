"""The issue's acceptance test: a realistic French ticket, valid and broken identifiers."""

from __future__ import annotations

from vigie.pii.builtin import BuiltinScanner
from vigie.pii.findings import Kind

TICKET = """\
Ticket #48213 — Hotline — 12/03/2026 09:42
De : Sophie Martin <sophie.martin@boulangerie-martin.fr>

Bonjour,
Suite à mon appel de ce matin, vous pouvez me rappeler au 06 12 34 56 78.
Pour le dossier mutuelle, mon numéro de sécurité sociale est le 2 84 12 75 123 456 87.
Le prélèvement se fera sur l'IBAN FR76 3000 6000 0112 3456 7890 189 (Crédit Agricole).
Pour l'acompte j'ai donné la carte 4970 1012 3456 7893 au technicien.
Attention, le comptable avait noté un autre numéro de sécu, 2 84 12 75 123 456 88,
et un IBAN FR76 3000 6000 0112 3456 7890 188 : ils sont faux, ne pas les utiliser.
Cordialement,
Sophie
"""


def found(kind: Kind) -> list[str]:
    return [f.text for f in BuiltinScanner().scan(TICKET) if f.kind == kind]


def test_the_scanner_finds_each_identifier_of_the_sample_ticket() -> None:
    assert found(Kind.EMAIL) == ["sophie.martin@boulangerie-martin.fr"]
    assert found(Kind.PHONE_MOBILE) == ["06 12 34 56 78"]
    assert found(Kind.NIR) == ["2 84 12 75 123 456 87"]
    assert found(Kind.IBAN) == ["FR76 3000 6000 0112 3456 7890 189"]
    assert found(Kind.CARD) == ["4970 1012 3456 7893"]


def test_a_nir_and_an_iban_with_a_wrong_checksum_are_not_flagged() -> None:
    findings = BuiltinScanner().scan(TICKET)
    flagged = {TICKET[f.start : f.end] for f in findings}
    assert "2 84 12 75 123 456 88" not in flagged
    assert "FR76 3000 6000 0112 3456 7890 188" not in flagged
    # Nor any part of them, as another kind of number.
    wrong_nir_at = TICKET.index("2 84 12 75 123 456 88")
    wrong_iban_at = TICKET.index("FR76 3000 6000 0112 3456 7890 188")
    for finding in findings:
        assert not wrong_nir_at <= finding.start < wrong_nir_at + 21
        assert not wrong_iban_at <= finding.start < wrong_iban_at + 33


def test_nothing_else_in_the_sample_is_taken_for_an_identifier() -> None:
    kinds = [f.kind for f in BuiltinScanner().scan(TICKET)]
    assert sorted(kinds) == sorted([Kind.EMAIL, Kind.PHONE_MOBILE, Kind.NIR, Kind.IBAN, Kind.CARD])
