"""Fixtures of the source-engine tests (the mini databases live in ``helpdesk.py``)."""

import pytest
from django.utils import translation

from tests.sources.helpdesk import database_url  # noqa: F401 (a fixture, used by name)


@pytest.fixture(autouse=True)
def _commands_in_english():
    """Command output is asserted in English here; French is Vigie's default (one test
    in test_command_sources checks it). Pages pick their language per request."""
    with translation.override("en"):
        yield
