"""Query lookups Vigie adds to text fields."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db.models import CharField
from django.db.models.lookups import In


@CharField.register_lookup
class AnyOf(In):
    """``field = ANY(%s)`` with the values as one array parameter on PostgreSQL.

    An ``IN`` list of thousands of placeholders costs a round trip per thousand and
    client-side quoting of each value; one array does not. Other databases, and a
    queryset on the right, fall back to Django's ``IN``. Like ``IN``, None values
    are left out (a NULL in the array would make ``NOT (x = ANY(...))`` unknown).
    """

    lookup_name = "any_of"

    def as_postgresql(self, compiler: Any, connection: Any) -> tuple[str, Sequence[Any]]:
        if not self.rhs_is_direct_value():
            return super().as_sql(compiler, connection)
        values = [self.lhs.output_field.get_prep_value(v) for v in self.rhs if v is not None]
        if not values:
            raise EmptyResultSet
        lhs, lhs_params = self.process_lhs(compiler, connection)
        return f"{lhs} = ANY(%s)", [*lhs_params, values]
