"""Vigie: a self-hosted GDPR (RGPD) back-office for service companies."""

__version__ = "0.1.0"
