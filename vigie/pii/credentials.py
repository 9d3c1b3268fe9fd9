"""Recognizers of secrets: passwords written after a keyword, API keys, card codes.

R30: client credentials live in the vault and never appear in tickets or
e-mails; R18: a card's security code (CVV) is never kept. The finding covers the
secret's *value* only, so that masking ``mot de passe : Azerty123`` leaves
``mot de passe : [secret masqué]`` and the reader still sees what was there.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from vigie.pii.findings import Finding, Kind

_BLANK = r"[ \t\u00a0\u202f]"

# password: x, "pwd"="x", mot de passe : x, mdp=x, api_key: x, token = x…
KEYWORD = re.compile(
    r"\b(?:password|passwd|passphrase|pwd|mot" + _BLANK + r"{1,3}de" + _BLANK + r"{1,3}passe"
    r"|mdp|secret|api[_\- ]?key|access[_\- ]?token|token)[\"']?"
    + _BLANK
    + r"{0,3}[:=]"
    + _BLANK
    + r"{0,3}[\"']?([^\s\"']{1,200})",
    re.IGNORECASE,
)
# Shapes of well-known keys, recognised without a keyword before them.
TOKENS = re.compile(
    r"(?<![\w\-])(?:"
    r"(?:sk|rk)_(?:live|test)_[0-9A-Za-z]{16,247}"  # Stripe secret and restricted keys
    r"|gh[pousr]_[0-9A-Za-z]{36,251}"  # GitHub tokens
    r"|github_pat_[0-9A-Za-z_]{22,255}"
    r"|glpat-[0-9A-Za-z_\-]{20,255}"  # GitLab
    r"|(?:AKIA|ASIA)[0-9A-Z]{16}"  # AWS access key ids
    r"|xox[abposr]-[0-9A-Za-z\-]{10,250}"  # Slack
    r"|AIza[0-9A-Za-z_\-]{35}"  # Google API keys
    r"|eyJ[0-9A-Za-z_\-]{8,2000}\.eyJ[0-9A-Za-z_\-]{8,4000}\.[0-9A-Za-z_\-]{8,2000}"  # JWT
    r")(?![\w\-])"
)
BEARER = re.compile(r"\bbearer" + _BLANK + r"{1,3}([0-9A-Za-z._~+/\-]{20,2000}=*)", re.IGNORECASE)
PRIVATE_KEY = re.compile(r"-----BEGIN [A-Z ]{0,20}PRIVATE KEY-----")
CARD_CODE = re.compile(
    r"\b(?:cvv2?|cvc2?|cvn|cryptogramme(?:"
    + _BLANK
    + r"{1,3}visuel)?)"
    + _BLANK
    + r"{0,3}[:=]?"
    + _BLANK
    + r"{0,3}(\d{3,4})(?![\w])",
    re.IGNORECASE,
)
# Trailing punctuation ends the sentence, not the password.
_TRAILING = ".,;:)]}"


def find_secrets(text: str) -> Iterator[Finding]:
    for match in KEYWORD.finditer(text):
        value = match.group(1).rstrip(_TRAILING) or match.group(1)
        start = match.start(1)
        yield Finding(Kind.SECRET, start, start + len(value), value, value, score=0.9)
    for match in TOKENS.finditer(text):
        yield Finding(Kind.SECRET, match.start(), match.end(), match.group(), match.group())
    for match in BEARER.finditer(text):
        yield Finding(Kind.SECRET, match.start(1), match.end(1), match.group(1), match.group(1))
    for match in PRIVATE_KEY.finditer(text):
        # The whole block down to its END line (or the header alone if it is cut).
        footer = text.find("PRIVATE KEY-----", match.end(), match.end() + 20_000)
        end = footer + len("PRIVATE KEY-----") if footer != -1 else match.end()
        block = text[match.start() : end]
        yield Finding(Kind.SECRET, match.start(), end, block, block)
    for match in CARD_CODE.finditer(text):
        code = match.group(1)
        yield Finding(Kind.CARD_CODE, match.start(1), match.end(1), code, code)
