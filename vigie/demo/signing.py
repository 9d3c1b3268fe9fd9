"""DKIM for the demo's own mail (R38): a key pair under ``var/``, made once.

The demo signs everything it sends, as production should: its worker gets the key
through the DKIM settings (``VIGIE_DKIM_PRIVATE_KEY_PATH``, the selector and the
domain) and the demo prints the TXT record a real domain would publish. A key
configured by the operator (``VIGIE_DKIM_PRIVATE_KEY_PATH``) is used as it is;
otherwise the demo's key is ``var/dkim-<selector>.pem`` (mode 0600).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

from vigie.mail.dkim_keys import DnsRecord, dns_record, ensure_key
from vigie.mail.management.commands.dkim import default_domain


@dataclass(frozen=True)
class DemoSigning:
    path: Path
    selector: str
    domain: str
    record: DnsRecord
    created: bool

    def environment(self) -> dict[str, str]:
        """The settings that make a process (the worker) sign with this key."""
        return {
            "VIGIE_DKIM_PRIVATE_KEY_PATH": str(self.path),
            "VIGIE_DKIM_SELECTOR": self.selector,
            "VIGIE_DKIM_DOMAIN": self.domain,
        }


def ensure_demo_signing(var_dir: Path) -> DemoSigning | None:
    """The demo's DKIM key (made on the first run, reused after) and its DNS record;
    None when no signing domain is known (no register loaded)."""
    selector = str(settings.DKIM_SELECTOR)
    domain = default_domain()
    if not domain:
        return None
    configured = str(settings.DKIM_PRIVATE_KEY_PATH or "")
    path = Path(configured) if configured else Path(var_dir) / f"dkim-{selector}.pem"
    pem, created = ensure_key(path)
    return DemoSigning(path, selector, domain, dns_record(pem, selector, domain), created)
