"""Who the controller is: the company's identity, read from the loaded register.

Vigie runs for any company. Its name, postal address, privacy contact, senders and
supervisory authority are data (the register's ``controller`` section), never
constants in code or templates (Art. 13(1)(a), Art. 30(1)(a); CPCE L34-5 for the
sender identity of marketing mail).

The register app owns that data, but pages, mail and PDFs all need it, and mail is
infrastructure that imports no domain app. So this module, low in the layers, holds
the typed identity and a provider hook: the register app registers its provider at
start-up (``RegisterConfig.ready``), everyone else calls :func:`current_controller`.

With no register loaded (or no provider registered) :func:`current_controller`
returns ``None``: pages then show a neutral header and footer, and mail refuses to
send, with a reason, rather than sending under a made-up sender.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from email.utils import formataddr, parseaddr


@dataclass(frozen=True)
class Authority:
    """The supervisory authority a person may complain to (Art. 13(2)(d))."""

    name: str
    address: str
    phone: str
    complaint_url: str


@dataclass(frozen=True)
class Controller:
    """The controller's identity as the current register states it."""

    name: str
    address: str
    #: The controller's contact address (``controller.email``).
    email: str
    #: Where personal-data questions go (``controller.privacy_contact``, else ``email``).
    privacy_contact: str
    phone: str = ""
    website: str = ""
    logo: str = ""
    #: Bare addresses of the senders (``controller.senders``); empty when not set.
    service_from: str = ""
    marketing_from: str = ""
    reply_to: str = ""
    unsubscribe_mailbox: str = ""
    authority: Authority | None = None

    def sender(self, marketing: bool) -> str:
        """The From header for a message of this kind: the company's name and the
        register's sender address ("" when the register names no sender)."""
        address = (self.marketing_from or self.service_from) if marketing else self.service_from
        return formataddr((self.name, address)) if address else ""

    @property
    def postal_lines(self) -> tuple[str, ...]:
        """The address split at its commas, for letters and footers."""
        return tuple(part.strip() for part in self.address.split(",") if part.strip())


ControllerProvider = Callable[[], "Controller | None"]

_provider: ControllerProvider | None = None


def set_controller_provider(provider: ControllerProvider | None) -> None:
    """Called once by the register app at start-up (tests may swap it)."""
    global _provider
    _provider = provider


def current_controller() -> Controller | None:
    """The controller of the current register, or None when none is loaded."""
    return _provider() if _provider is not None else None


def bare_address(value: str) -> str:
    """``"Name <a@b>"`` or ``"a@b"`` → ``"a@b"`` ("" when there is none)."""
    return parseaddr(value or "")[1]


def controller_from_document(section: dict[str, object]) -> Controller:
    """Build the identity from a register document's ``controller`` section."""

    def get(mapping: dict[str, object], field: str) -> str:
        value = mapping.get(field)
        return value.strip() if isinstance(value, str) else ""

    senders_raw = section.get("senders")
    senders: dict[str, object] = senders_raw if isinstance(senders_raw, dict) else {}
    authority_raw = section.get("supervisory_authority")
    authority = (
        Authority(
            get(authority_raw, "name"),
            get(authority_raw, "address"),
            get(authority_raw, "phone"),
            get(authority_raw, "complaint_url"),
        )
        if isinstance(authority_raw, dict)
        else None
    )
    email = get(section, "email")
    return Controller(
        name=get(section, "name"),
        address=get(section, "address"),
        email=email,
        privacy_contact=get(section, "privacy_contact") or email,
        phone=get(section, "phone"),
        website=get(section, "website"),
        logo=get(section, "logo"),
        service_from=bare_address(get(senders, "service")),
        marketing_from=bare_address(get(senders, "marketing")),
        reply_to=bare_address(get(senders, "reply_to")),
        unsubscribe_mailbox=bare_address(get(senders, "unsubscribe_mailbox")),
        authority=authority,
    )
