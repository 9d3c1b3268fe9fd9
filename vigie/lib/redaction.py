"""No link token, e-mail address or search term in a log line (R30, Art. 32).

Vigie's e-mail links carry signed tokens in their path (``/u/<token>``,
``/preferences/<token>``, ``/newsletter/confirm/<token>``); whoever reads one can act
as the person. Back-office searches carry names and addresses in query strings, and
SMTP replies quote the recipient. :func:`redact` removes all of these from a text;
:class:`RedactingFilter` applies it to every log record (message, arguments and
traceback) that goes through Vigie's handlers: Django's loggers, Vigie's own, and
gunicorn's (see :mod:`vigie.web.access_log`). The error reports sent to Sentry go
through the same function (:mod:`vigie.lib.errors`).

The token routes are read from the URL configuration: every route with a parameter
named ``token`` (:func:`token_route_prefixes`), so that a new link kind is redacted
without a list to keep up to date. Tokens are also recognised by their shape (a
``django.core.signing`` value), wherever they appear.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Iterable
from typing import Any

REDACTED = "…"
EMAIL_REDACTED = "[address]"

#: A letter outside ASCII as Django writes it in a logged path (``\\xe4``, ``\\u5c71``:
#: ``log_response`` escapes non-ASCII).
_ESCAPED = r"\\(?:x[0-9A-Fa-f]{2}|u[0-9A-Fa-f]{4}|U[0-9A-Fa-f]{8})"
_LOCAL = r"\w!#$%&'*+/=?^`{|}~.\-"
#: An address, also percent-encoded (``%40``, ``%C3%A4``) as in a query string; letters
#: of any script (``\w``): internationalised domains and local parts are addresses too.
#: A match only starts where a run of address characters starts (the look-behind): else
#: each position of a long run would be tried again, in time quadratic in its length.
_EMAIL = re.compile(
    rf"(?<![{_LOCAL}\\])(?:[{_LOCAL}]|{_ESCAPED})+(?:@|%40)"
    rf"(?:[\w\-]|{_ESCAPED}|%[0-9A-Fa-f]{{2}})+(?:\.(?:[\w\-]|{_ESCAPED}|%[0-9A-Fa-f]{{2}})+)+",
    re.IGNORECASE,
)
#: A django.core.signing value: ``payload:timestamp:signature`` (URL-safe base64), from
#: the start of a run only (as above).
_SIGNED = re.compile(
    r"(?<![A-Za-z0-9_\-])\.?[A-Za-z0-9_\-]{8,}(?::[A-Za-z0-9_\-]{4,})?:[A-Za-z0-9_\-]{20,}"
)
#: An API key as shown once to its owner (``vigie_`` + secret).
_API_KEY = re.compile(r"\bvigie_[0-9a-f]{12}_[A-Za-z0-9_\-]+")
#: The query string of a path or URL: search terms (names, addresses) live there.
_QUERY = re.compile(r"((?:https?://[^\s/\"']+)?/[^\s?\"']*)\?[^\s\"']*")

_lock = threading.Lock()
_token_route: re.Pattern[str] | None = None


def _route_prefixes(patterns: Iterable[Any], prefix: str) -> list[str]:
    from django.urls import URLPattern, URLResolver

    found: list[str] = []
    for entry in patterns:
        route = str(entry.pattern)
        if isinstance(entry, URLResolver):
            found += _route_prefixes(entry.url_patterns, prefix + route)
        elif isinstance(entry, URLPattern):
            full = prefix + route
            match = re.search(r"<(?:\w+:)?token>", full)
            if match:
                found.append("/" + full[: match.start()].lstrip("^"))
    return found


def token_route_prefixes() -> list[str]:
    """The path before the token of every route with a ``token`` parameter."""
    from django.urls import get_resolver

    return sorted(set(_route_prefixes(get_resolver().url_patterns, "")))


def _token_route_pattern() -> re.Pattern[str] | None:
    global _token_route
    if _token_route is None:
        with _lock:
            if _token_route is None:
                try:
                    prefixes = token_route_prefixes()
                except Exception:  # URL conf not loadable yet (start-up): shapes only.
                    return None
                alternatives = "|".join(re.escape(p) for p in prefixes) or r"(?!)"
                _token_route = re.compile(rf"((?:{alternatives}))[^/?#\s\"']+")
    return _token_route


def redact(text: str) -> str:
    """``text`` without link tokens, addresses, API keys or query strings."""
    if not text:
        return text
    routes = _token_route_pattern()
    if routes is not None:
        text = routes.sub(rf"\g<1>{REDACTED}", text)
    text = _QUERY.sub(rf"\g<1>?{REDACTED}", text)
    text = _SIGNED.sub(REDACTED, text)
    text = _API_KEY.sub("vigie_" + REDACTED, text)
    return _EMAIL.sub(EMAIL_REDACTED, text)


def redact_value(value: Any) -> Any:
    """Redact the strings inside ``value`` (dicts, lists, tuples), other values kept."""
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, dict):
        return {key: redact_value(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(redact_value(item) for item in value)
    return value


_formatter = logging.Formatter()


class RedactingFilter(logging.Filter):
    """Rewrite each record so that no handler can write a token or an address.

    The message is formatted and redacted once, and its arguments dropped (so that
    a handler formatting them again finds nothing); the traceback is formatted and
    redacted too. Attach it to handlers: a handler's filters see the records of every
    logger that propagates to it.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a malformed call: keep what can be said safely
            message = str(record.msg)
        record.msg = redact(message)
        record.args = ()
        if record.exc_info and not record.exc_text:
            record.exc_text = _formatter.formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        # Django attaches the request to its records (``extra``): formatters and
        # handlers that read it (mail_admins) would print its path and query.
        if hasattr(record, "request"):
            record.request = None
        return True
