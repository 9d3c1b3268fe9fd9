"""Data keys live in their own database (``keys``), never beside the data they open.

A copy of the main database (a dump, a backup, a stolen disk) then holds only
ciphertext: without the key store it is unreadable, and a person whose key was
destroyed stays unreadable in every copy ever made (crypto-shredding, Art. 17).
"""

from __future__ import annotations

from typing import Any

KEYS_DB = "keys"
# The audit chain's anchor sits there too: out of reach of the main database's writer.
_KEY_MODELS = {("people", "personkey"), ("audit", "anchor")}


def _is_key_model(model: Any) -> bool:
    return (model._meta.app_label, model._meta.model_name) in _KEY_MODELS


class KeyStoreRouter:
    def db_for_read(self, model: Any, **hints: Any) -> str | None:
        return KEYS_DB if _is_key_model(model) else None

    def db_for_write(self, model: Any, **hints: Any) -> str | None:
        return KEYS_DB if _is_key_model(model) else None

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool | None:
        return None

    def allow_migrate(
        self, db: str, app_label: str, model_name: str | None = None, **hints: Any
    ) -> bool:
        is_key = (app_label, model_name) in _KEY_MODELS
        if db == KEYS_DB:
            return is_key
        return not is_key
