"""Password strength per CNIL deliberation 2022-100 (R27).

A password that is the only factor needs about 80 bits of entropy: at least 12
characters from the 4 classes (lower, upper, digit, symbol), or at least 14 from 3
classes, or a passphrase of at least 7 words.
"""

from __future__ import annotations

import re
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

_WORD_SPLIT = re.compile(r"[\s\-_.,;:]+")


def character_classes(password: str) -> int:
    classes = [
        any(c.islower() for c in password),
        any(c.isupper() for c in password),
        any(c.isdigit() for c in password),
        any(not c.isalnum() for c in password),
    ]
    return sum(classes)


def is_passphrase(password: str, min_words: int = 7) -> bool:
    words = [w for w in _WORD_SPLIT.split(password.strip()) if len(w) >= 2]
    return len(words) >= min_words


def is_strong_enough(password: str) -> bool:
    classes = character_classes(password)
    return (
        (len(password) >= 12 and classes == 4)
        or (len(password) >= 14 and classes >= 3)
        or is_passphrase(password)
    )


class CnilPasswordValidator:
    def validate(self, password: str, user: Any = None) -> None:
        if not is_strong_enough(password):
            raise ValidationError(self.get_help_text(), code="password_too_weak")

    def get_help_text(self) -> str:
        return _(
            "Your password must have at least 12 characters mixing lower case, upper case, "
            "digits and symbols; or at least 14 characters from three of these kinds; "
            "or be a passphrase of at least 7 words."
        )
