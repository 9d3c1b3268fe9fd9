import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError

from vigie.accounts.validators import character_classes, is_passphrase, is_strong_enough


@pytest.mark.parametrize(
    "password",
    [
        "Azerty12",  # R27's example: 8 characters, 3 classes
        "Azerty12!ab",  # 11 characters, 4 classes
        "azertyuiop1234",  # 14 characters but 2 classes
        "Azertyuiop123",  # 13 characters, 3 classes
        "un deux trois quatre cinq six",  # 6 words
    ],
)
def test_it_refuses_passwords_below_the_cnil_thresholds(password: str) -> None:
    assert not is_strong_enough(password)
    with pytest.raises(ValidationError):
        validate_password(password)


@pytest.mark.parametrize(
    "password",
    [
        "Azerty12!abc",  # 12 characters, 4 classes
        "Azertyuiop1234",  # 14 characters, 3 classes
        "le chat dort sur le vieux canapé rouge",  # 8 words
        "cheval-agrafe-correct-batterie-nuage-sapin-olive",  # 7 words, hyphenated
    ],
)
def test_it_accepts_passwords_meeting_one_cnil_rule(password: str) -> None:
    assert is_strong_enough(password)
    validate_password(password)


def test_it_counts_character_classes_and_words() -> None:
    assert character_classes("aA1!") == 4
    assert character_classes("abc") == 1
    assert is_passphrase("a b c d e f g") is False  # one-letter words do not count
    assert is_passphrase("un deux trois quatre cinq six sept")
