"""Bounds on what people and software may send: one layer for every input kind.

A probe stored a 15 MB name, a 300-character mailbox, a 5,000-digit phone number,
NUL bytes and right-to-left overrides (which make « moc.elpmaxe@ » read as an
innocent address on screen), and a date of year 9999 crashed the API. Each kind has
its check here, used by the forms, the API schemas and the services that imports
call (``vigie.people.services.create_person``…):

========================  ===========================================================
names                     150 characters, one line, no control or bidi character
e-mail addresses          RFC 5321: 254 characters, local part 64, one ``@``
phone numbers             32 characters, digits and ``+ ( ) . - /`` and spaces, at
                          most 15 digits (E.164)
free text                 the caller's length, no NUL/control (tab and line breaks
                          allowed) and no bidi override, embedding or isolate
dates                     from 1900-01-01 to 2100-12-31, whatever the time zone
========================  ===========================================================

Each check returns the value or raises :class:`OutOfBounds` with a message for
people; :func:`django_validator` and the ``Api*`` types give the same check to a
Django form field and to a django-ninja schema (a 422 naming the field).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Annotated, Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from pydantic import AfterValidator, StringConstraints

MAX_NAME = 150
MAX_EMAIL = 254
MAX_EMAIL_LOCAL = 64
MAX_PHONE = 32
MAX_PHONE_DIGITS = 15
MAX_SHORT_TEXT = 500
MAX_IP = 45
DATE_MIN = dt.date(1900, 1, 1)
DATE_MAX = dt.date(2100, 12, 31)

#: Bidirectional embeddings, overrides and isolates, and the invisible direction marks.
_BIDI = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
_MARKS = "\u200e\u200f\u061c"
#: C0 and C1 controls and DEL (NUL included).
_CONTROLS = "".join(chr(c) for c in [*range(0x00, 0x20), *range(0x7F, 0xA0)])
_LINE_CONTROLS = _CONTROLS.replace("\t", "").replace("\n", "").replace("\r", "")
_PHONE = re.compile(r"^\+?[0-9 ().\-/]+$")


class OutOfBounds(ValueError):
    """An input outside its bounds; the message says which bound, for people."""


def _refuse_characters(value: str, forbidden: str, *, bidi: str) -> None:
    if any(c in forbidden for c in value):
        if "\x00" in value:
            raise OutOfBounds(_("contains a NUL character"))
        raise OutOfBounds(_("contains a control character"))
    if any(c in bidi for c in value):
        raise OutOfBounds(_("contains a text-direction control character (e.g. U+202E)"))


def _length(value: str, maximum: int) -> None:
    if len(value) > maximum:
        raise OutOfBounds(
            _("is %(length)d characters long; at most %(maximum)d")
            % {"length": len(value), "maximum": maximum}
        )


def check_text(value: str, *, max_length: int = MAX_SHORT_TEXT, multiline: bool = True) -> str:
    """Free text: bounded, no control character but tab and line breaks, no bidi control."""
    _length(value, max_length)
    _refuse_characters(value, _LINE_CONTROLS if multiline else _CONTROLS, bidi=_BIDI)
    return value


def check_name(value: str, *, max_length: int = MAX_NAME) -> str:
    """A person's or organisation's name, a job title: one line, bounded."""
    _length(value, max_length)
    _refuse_characters(value, _CONTROLS, bidi=_BIDI + _MARKS)
    return value


def check_email(value: str) -> str:
    """An address within RFC 5321's limits; its syntax is checked by the caller."""
    _length(value, MAX_EMAIL)
    _refuse_characters(value, _CONTROLS, bidi=_BIDI + _MARKS)
    if value.count("@") != 1 or any(c.isspace() for c in value):
        raise OutOfBounds(_("is not an e-mail address"))
    local = value.split("@", 1)[0]
    if len(local) > MAX_EMAIL_LOCAL:
        raise OutOfBounds(
            _("the part before @ is %(length)d characters long; at most %(maximum)d")
            % {"length": len(local), "maximum": MAX_EMAIL_LOCAL}
        )
    return value


def check_phone(value: str) -> str:
    """A phone number as written by people: bounded, at most 15 digits (E.164)."""
    _length(value, MAX_PHONE)
    _refuse_characters(value, _CONTROLS, bidi=_BIDI + _MARKS)
    if value and not _PHONE.match(value):
        raise OutOfBounds(_("is not a phone number (digits, spaces and + ( ) . - / only)"))
    digits = sum(c.isdigit() for c in value)
    if digits > MAX_PHONE_DIGITS:
        raise OutOfBounds(
            _("has %(digits)d digits; a phone number has at most %(maximum)d")
            % {"digits": digits, "maximum": MAX_PHONE_DIGITS}
        )
    return value


def check_date(value: dt.date) -> dt.date:
    """A date or date-time between 1900 and 2100 (checked on its own fields first, so
    that a time zone at the edge of the calendar cannot overflow a conversion)."""
    day = value.date() if isinstance(value, dt.datetime) else value
    if not DATE_MIN <= day <= DATE_MAX:
        raise OutOfBounds(
            _("must be between %(min)s and %(max)s")
            % {"min": DATE_MIN.strftime("%d/%m/%Y"), "max": DATE_MAX.strftime("%d/%m/%Y")}
        )
    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        try:
            value.astimezone(dt.UTC)
        except OverflowError:
            raise OutOfBounds(_("is out of range")) from None
    return value


def django_validator(check: Callable[..., Any], **options: Any) -> Callable[[Any], None]:
    """The check as a Django form-field validator (the form shows the message)."""

    def validate(value: Any) -> None:
        if value in (None, ""):
            return
        try:
            check(value, **options)
        except OutOfBounds as error:
            # The checks' messages name no subject (« is not a phone number »), for the
            # CLI's « field: message »; a form shows them under the field as a sentence.
            raise ValidationError(
                _("This value %(problem)s.") % {"problem": error}, code="bounds"
            ) from None

    validate.__name__ = f"validate_{check.__name__.removeprefix('check_')}"
    return validate


def _api(check: Callable[..., Any], **options: Any) -> Callable[[Any], Any]:
    # pydantic turns a ValueError into a 422 that names the field.
    def validate(value: Any) -> Any:
        if value in (None, ""):
            return value
        try:
            return check(value, **options)
        except OutOfBounds as error:
            raise ValueError(str(error)) from None

    return validate


# django-ninja (pydantic) types. The length is also a schema constraint: checked before
# anything else, and published in the OpenAPI schema.
ApiName = Annotated[str, StringConstraints(max_length=MAX_NAME), AfterValidator(_api(check_name))]
ApiEmail = Annotated[
    str, StringConstraints(max_length=MAX_EMAIL), AfterValidator(_api(check_email))
]
ApiPhone = Annotated[
    str, StringConstraints(max_length=MAX_PHONE), AfterValidator(_api(check_phone))
]


def api_text(max_length: int = MAX_SHORT_TEXT) -> Any:
    """Free text of at most ``max_length`` characters (the database column's size)."""
    return Annotated[
        str,
        StringConstraints(max_length=max_length),
        AfterValidator(_api(check_text, max_length=max_length)),
    ]


ApiShortText = api_text(MAX_SHORT_TEXT)
ApiDateTime = Annotated[dt.datetime, AfterValidator(_api(check_date))]

validate_name = django_validator(check_name)
validate_email_bounds = django_validator(check_email)
validate_phone = django_validator(check_phone)
validate_date = django_validator(check_date)
