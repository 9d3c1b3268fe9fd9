"""Fixtures of the source-engine tests (the mini databases live in ``helpdesk.py``)."""

from tests.sources.helpdesk import database_url  # noqa: F401 (a fixture, used by name)
