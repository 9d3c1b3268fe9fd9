"""The guard as a form validator, a form field and an API (pydantic) type (R18, R30)."""

from __future__ import annotations

from typing import Annotated, Any

from django import forms
from django.core.exceptions import ValidationError
from pydantic import AfterValidator

from vigie.lib.bounds import OutOfBounds, check_text
from vigie.pii.guard import guard_free_text

#: The length is the field's own bound (``max_length``); this one only stops the scan
#: from running on a body-sized string when a caller forgot it.
_TEXT_LIMIT = 100_000


def _characters(value: str) -> None:
    """No NUL, control or text-direction character (vigie.lib.bounds)."""
    try:
        check_text(value, max_length=_TEXT_LIMIT)
    except OutOfBounds as error:
        raise ValidationError(str(error), code="bounds") from None


def validate_no_secrets(value: str) -> None:
    """Refuse free text holding a card number, a card code or a password (R18, R30),
    or a NUL, control or text-direction character."""
    _characters(value or "")
    guard_free_text(value or "", mode="refuse")


class FreeTextField(forms.CharField):
    """A text field that refuses card data and secrets, or masks them with ``mask=True``."""

    def __init__(self, *, mask: bool = False, **kwargs: Any) -> None:
        self.mask = mask
        super().__init__(**kwargs)
        if not mask:
            self.validators.append(validate_no_secrets)

    def clean(self, value: Any) -> Any:
        cleaned = super().clean(value)
        return guard_free_text(cleaned, mode="mask") if self.mask and cleaned else cleaned


def _check_api_text(value: str) -> str:
    # pydantic turns a ValueError into a 422 naming the field; ninja drops the input
    # from the error, so the secret is not sent back either.
    try:
        _characters(value)
        guard_free_text(value, mode="refuse")
    except ValidationError as error:
        raise ValueError(" ".join(error.messages)) from None
    return value


#: A free-text string in a django-ninja schema that refuses card data and secrets.
FreeText = Annotated[str, AfterValidator(_check_api_text)]
