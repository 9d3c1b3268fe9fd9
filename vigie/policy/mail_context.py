"""What the ``policy_change`` e-mail says about a policy version (R76), looked up at
render time: the outbox only stores the version numbers. Registered with mail by
``PolicyConfig.ready`` (mail imports no domain app)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.urls import reverse

from vigie.mail.rendering import RenderError
from vigie.policy.services import published_version


def _version_url(number: int, language: str) -> str:
    name = "policy:version-en" if language == "en" else "policy:version"
    return settings.SITE_URL.rstrip("/") + reverse(name, args=[number])


def policy_change_context(refs: dict[str, Any], language: str) -> dict[str, Any]:
    """R76: the summary of changes, the effective date, links to both versions."""
    version = published_version(int(refs.get("version", 0)))
    if version is None:
        raise RenderError(f"policy version {refs.get('version')!r} is not published")
    previous = refs.get("previous")
    return {
        "version_number": version.number,
        "change_summary": version.change_summary(language),
        "effective_at": version.effective_at,
        "version_url": _version_url(version.number, language),
        "previous_url": _version_url(int(previous), language) if previous else "",
    }
