"""PII in free text (docs/pii.md): find identifiers, a person's mentions, mask third parties
in an access copy, and keep card data and secrets out of new text.

Import from the modules, not from here, so that a ``models.py`` may use the
validators without loading the audit app early:

- ``findings``: ``Finding``, ``Kind``, ``Scanner``; ``engine.get_scanner()``
- ``mentions.find_mentions``; ``masking.mask_third_parties``
- ``guard.guard_free_text``; ``fields.validate_no_secrets``, ``FreeTextField``, ``FreeText``
"""
