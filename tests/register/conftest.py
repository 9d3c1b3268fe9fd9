"""A small valid register document, to mutate in tests."""

from __future__ import annotations

import copy
from typing import Any

import pytest


def t(fr: str, en: str | None = None) -> dict[str, str]:
    return {"fr": fr, "en": en or f"EN {fr}"}


MINIMAL: dict[str, Any] = {
    "version": 1,
    "controller": {
        "name": "SEMI INFORMATIQUE",
        "address": "825 Rue André Ampère, 13290 Aix-en-Provence",
        "email": "info.rgpd@semi-informatique.com",
        "privacy_contact": "info.rgpd@semi-informatique.com",
        "senders": {
            "service": "SEMI INFORMATIQUE <ne-pas-repondre@semi-informatique.com>",
            "reply_to": "info.rgpd@semi-informatique.com",
            "unsubscribe_mailbox": "desabonnement@semi-informatique.com",
        },
        "dpo": "N/A: aucun DPO désigné",
        "supervisory_authority": {
            "name": "CNIL",
            "address": "3 Place de Fontenoy – TSA 80715 – 75334 PARIS CEDEX 07",
            "phone": "01 53 73 22 22",
            "complaint_url": "https://www.cnil.fr/fr/plaintes",
        },
    },
    "subject_categories": [{"key": "client-contact-b2b", "label": t("Contacts clients")}],
    "data_categories": [
        {
            "key": "identity-contact",
            "label": t("Identité et coordonnées", "Identity and contact details"),
            "description": t("Nom, prénom, e-mail"),
            "retention": {
                "start_event": t("Fin de la relation"),
                "active_duration": "P3Y",
                "active_text": t("Relation + 3 ans", "Relationship + 3 years"),
                "archive_duration": None,
                "archive_text": "N/A: pas d'archive",
                "final_action": "delete",
                "legal_reference": "Art. 5(1)(e) RGPD",
                "source": "proposed default",
            },
        },
        {
            "key": "billing",
            "label": t("Facturation", "Billing"),
            "description": t("Factures"),
            "retention": {
                "start_event": t("Clôture de l'exercice"),
                "active_duration": None,
                "active_text": t("Jusqu'au paiement"),
                "archive_duration": "P10Y",
                "archive_text": t("10 ans après la clôture de l'exercice"),
                "final_action": "delete",
                "legal_reference": "C. com. L123-22",
                "source": "C. com. L123-22",
            },
        },
    ],
    "recipients": [
        {
            "key": "datacenter",
            "name": t("Hébergeur", "Hosting provider"),
            "category": "processor",
            "purposes": t("Hébergement"),
            "data_categories": ["identity-contact"],
            "country": "FR",
            "transfer_safeguard": None,
            "contract_reference": "DPA-2026-01",
            "privacy_contact": "dpo@hebergeur.example",
            "source": "policy",
        }
    ],
    "security_measures": [
        {
            "key": "encryption",
            "kind": "technical",
            "label": t("Chiffrement"),
            "source": "proposed default",
        },
        {"key": "training", "kind": "organisational", "label": t("Formation"), "source": "policy"},
    ],
    "activities": [
        {
            "key": "client-management",
            "role": "controller",
            "name": t("Gestion des clients", "Client management"),
            "purposes": [
                {"text": t("Exécuter les contrats"), "legal_basis": "contract", "source": "policy"},
                {
                    "text": t("Gérer les contacts B2B"),
                    "legal_basis": "legitimate_interest",
                    "legitimate_interest": t("Relation commerciale"),
                    "source": "policy",
                },
            ],
            "subject_categories": ["client-contact-b2b"],
            "data_categories": ["identity-contact", "billing"],
            "data_sources": t("La personne"),
            "recipients": ["datacenter"],
            "transfers": "N/A: aucun transfert hors UE",
            "security_measures": "all",
            "automated_decision": False,
        },
        {
            "key": "client-systems",
            "role": "processor",
            "name": t("Maintenance chez les clients", "Maintenance for clients"),
            "purposes": [{"text": t("Maintenance"), "legal_basis": "contract", "source": "policy"}],
            "subject_categories": ["client-contact-b2b"],
            "data_categories": ["identity-contact"],
            "data_sources": t("Le client"),
            "recipients": "N/A: aucun destinataire",
            "transfers": "N/A: aucun transfert hors UE",
            "security_measures": ["encryption"],
            "automated_decision": False,
        },
    ],
    "processor_register": [
        {
            "key": "client-durand",
            "client": {
                "name": "Cabinet Durand (exemple)",
                "contact": "direction@durand.example",
                "dpo": "N/A: aucun",
            },
            "processing": [t("Maintenance du parc")],
            "sub_processors": ["datacenter"],
            "transfers": "N/A: aucun transfert hors UE",
            "security_measures": "all",
        }
    ],
}


@pytest.fixture
def register_doc() -> dict[str, Any]:
    return copy.deepcopy(MINIMAL)
