"""The guard as a form validator, a form field and an API (pydantic) type (R18, R30)."""

from __future__ import annotations

from typing import Annotated, Any

from django import forms
from django.core.exceptions import ValidationError
from pydantic import AfterValidator

from vigie.pii.guard import guard_free_text


def validate_no_secrets(value: str) -> None:
    """Refuse free text holding a card number, a card code or a password (R18, R30)."""
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
        guard_free_text(value, mode="refuse")
    except ValidationError as error:
        raise ValueError(" ".join(error.messages)) from None
    return value


#: A free-text string in a django-ninja schema that refuses card data and secrets.
FreeText = Annotated[str, AfterValidator(_check_api_text)]
