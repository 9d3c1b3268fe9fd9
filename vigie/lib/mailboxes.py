"""What kind of mailbox an address is: a private individual's (webmail, access provider)
or an organisation's generic one (contact@, info@…) — R35, R36.

Both lists are data files shipped with Vigie (``vigie/lib/data/``), maintained with it,
and extended by a deployment through ``VIGIE_PERSONAL_DOMAINS`` and
``VIGIE_GENERIC_LOCAL_PARTS`` (docs/configuration.md). The audience check and the
partner import read them from here.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache
from pathlib import Path

from django.conf import settings

DATA = Path(__file__).resolve().parent / "data"
PERSONAL_DOMAINS_FILE = DATA / "personal_domains.txt"
GENERIC_LOCAL_PARTS_FILE = DATA / "generic_local_parts.txt"
#: "yahoo.*": the name under any top-level domain.
ANY_TLD = ".*"
_WORD = re.compile(r"[.\-_+]")


@cache
def _shipped(path: Path) -> tuple[str, ...]:
    lines = (line.split("#", 1)[0].strip().lower() for line in path.read_text("utf-8").split("\n"))
    return tuple(line for line in lines if line)


def _norm(text: str) -> str:
    return unicodedata.normalize("NFC", text).strip().lower()


def personal_domains() -> frozenset[str]:
    """The shipped list plus ``VIGIE_PERSONAL_DOMAINS``; ``name.*`` entries included."""
    extra = (_norm(d) for d in settings.PERSONAL_DOMAINS)
    return frozenset([*_shipped(PERSONAL_DOMAINS_FILE), *(d for d in extra if d)])


def generic_local_parts() -> frozenset[str]:
    """The shipped list plus ``VIGIE_GENERIC_LOCAL_PARTS``."""
    extra = (_norm(p) for p in settings.GENERIC_LOCAL_PARTS)
    return frozenset([*_shipped(GENERIC_LOCAL_PARTS_FILE), *(p for p in extra if p)])


class DomainMatcher:
    """Answers "is this domain personal?" for many addresses with one reading of the lists."""

    def __init__(self, domains: frozenset[str] | None = None) -> None:
        domains = personal_domains() if domains is None else domains
        self.exact = frozenset(d for d in domains if not d.endswith(ANY_TLD))
        self.names = frozenset(d[: -len(ANY_TLD)] for d in domains if d.endswith(ANY_TLD))

    def __call__(self, domain: str) -> bool:
        domain = _norm(domain).rstrip(".")
        if domain in self.exact:
            return True
        name, dot, tld = domain.partition(".")
        return bool(dot) and name in self.names and _looks_like_a_tld(tld)


def _looks_like_a_tld(suffix: str) -> bool:
    """``fr``, ``com``, or a country's second level (``co.uk``, ``com.br``): what ``name.*``
    stands for; not a company's domain (``live.nation-events.com``). A heuristic, without
    the public suffix list (whose library fetches it from the Internet)."""
    labels = suffix.split(".")
    if len(labels) == 1:
        return bool(labels[0])
    return len(labels) == 2 and 0 < len(labels[0]) <= 3 and len(labels[1]) == 2


def is_personal_address(address: str, matcher: DomainMatcher | None = None) -> bool:
    """Whether the address is at a personal-mailbox domain (gmail.com, orange.fr…)."""
    _local, at, domain = _norm(address).rpartition("@")
    return bool(at) and (matcher or DomainMatcher())(domain)


def is_generic_address(address: str, local_parts: frozenset[str] | None = None) -> bool:
    """Whether the address is a role mailbox (contact@, info@, rh-paris@…): its local part,
    or the first word of it, is a generic one."""
    local, at, _domain = _norm(address).rpartition("@")
    if not at or not local:
        return False
    parts = generic_local_parts() if local_parts is None else local_parts
    local = local.split("+", 1)[0]
    return local in parts or _WORD.split(local, 1)[0] in parts
