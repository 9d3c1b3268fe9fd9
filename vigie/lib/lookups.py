"""Query lookups Vigie adds to every model field."""

from __future__ import annotations

from typing import Any

from django.db.models import Field
from django.db.models.lookups import In


@Field.register_lookup
class AnyOf(In):
    """``field = ANY(%s)`` with the values as one array parameter on PostgreSQL.

    An ``IN`` list of thousands of placeholders costs a round trip per thousand and
    client-side quoting of each value; one array does not. Other databases fall
    back to Django's ``IN``.
    """

    lookup_name = "any_of"

    def as_postgresql(self, compiler: Any, connection: Any) -> tuple[str, list[Any]]:
        lhs, lhs_params = self.process_lhs(compiler, connection)
        return f"{lhs} = ANY(%s)", [*lhs_params, list(self.rhs)]
