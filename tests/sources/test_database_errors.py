"""A source's database error is shown to the privacy lead and stored with the failed step:
it names the source and the kind of error, never a value the database quotes in it."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa

from vigie.sources.sql import SourceError, database_errors


class _Source:
    name = "dolibarr"

    def forget_schema(self) -> None:
        self.forgotten = True


@pytest.mark.parametrize(
    "driver_message",
    [
        "(1062, \"Duplicate entry 'claire.martin@client.example' for key 'llx_user.uk_email'\")",
        "(1292, \"Incorrect date value: '1975-02-31 Martin' for column 'birthday'\")",
        'invalid input syntax for type date: "Martin 31/02"',
    ],
)
def test_a_quoted_value_never_reaches_the_message(driver_message: str) -> None:
    source: Any = _Source()
    error = sa.exc.IntegrityError("UPDATE llx_user SET …", {}, Exception(driver_message))
    with pytest.raises(SourceError) as raised, database_errors(source):
        raise error
    text = str(raised.value)
    assert text.startswith("dolibarr: database error: ")
    assert "claire" not in text and "Martin" not in text
    assert source.forgotten
