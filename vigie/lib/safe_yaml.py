"""The one YAML loader of Vigie: safe, bounded, and strict about duplicate keys.

``yaml.safe_load`` builds no arbitrary object, but it still accepts:

- an alias bomb ("billion laughs"): a few lines whose aliases expand to 10⁹ values
  once walked (validated, exported, hashed), which held a web worker for minutes;
- nesting thousands of levels deep, which ends in ``RecursionError``;
- a key given twice in a mapping, the second silently replacing the first (a register
  entry's retention written twice, the first one lost).

:func:`load` refuses all three with :class:`YamlRefused`, which names the place
(file, line and column) like any other YAML error. Registers (``vigie register load``,
the back-office editor) and source manifests are read with it.
"""

from __future__ import annotations

from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

#: Aliases (``*name``) one document may use; Vigie's own files use none.
MAX_ALIASES = 100
#: Values the document would hold once every alias is expanded.
MAX_EXPANDED_NODES = 200_000
#: Nesting of mappings and sequences (a register is about 6 deep).
MAX_DEPTH = 64


class YamlRefused(yaml.MarkedYAMLError):
    """Valid YAML that Vigie will not load: too many aliases, too deep, duplicate key."""


class _BoundedLoader(yaml.SafeLoader):
    def __init__(self, stream: str, name: str) -> None:
        super().__init__(stream)
        self.name = name
        self._depth = 0
        self._aliases = 0
        self._weights: dict[int, int] = {}
        self._total = 0

    def fetch_flow_collection_start(self, TokenClass: Any) -> None:
        # The scanner reads ahead over every ``[`` or ``{`` (each may start a key), in
        # time quadratic in the nesting: stop it before the composer's bound is reached.
        if self.flow_level >= MAX_DEPTH:
            raise YamlRefused(
                None, None, f"nested more than {MAX_DEPTH} levels deep: refused", self.get_mark()
            )
        super().fetch_flow_collection_start(TokenClass)

    def compose_node(self, parent: Node | None, index: Any) -> Node | None:
        if self.check_event(yaml.AliasEvent):
            self._aliases += 1
            event = self.peek_event()
            if self._aliases > MAX_ALIASES:
                raise YamlRefused(
                    None,
                    None,
                    f"more than {MAX_ALIASES} aliases (*{event.anchor}): refused",
                    event.start_mark,
                )
            node = super().compose_node(parent, index)
            self._count(self._weights.get(id(node), 1), event.start_mark)
            return node
        self._depth += 1
        if self._depth > MAX_DEPTH:
            event = self.peek_event()
            raise YamlRefused(
                None, None, f"nested more than {MAX_DEPTH} levels deep: refused", event.start_mark
            )
        try:
            node = super().compose_node(parent, index)
        finally:
            self._depth -= 1
        weight = 1
        if isinstance(node, SequenceNode):
            weight += sum(self._weights.get(id(child), 1) for child in node.value)
        elif isinstance(node, MappingNode):
            weight += sum(
                self._weights.get(id(k), 1) + self._weights.get(id(v), 1) for k, v in node.value
            )
        if not isinstance(node, ScalarNode):
            self._weights[id(node)] = weight
        return node

    def _count(self, weight: int, mark: Any) -> None:
        self._total += weight
        if weight > MAX_EXPANDED_NODES or self._total > MAX_EXPANDED_NODES:
            raise YamlRefused(
                None,
                None,
                f"aliases expand to more than {MAX_EXPANDED_NODES} values: refused",
                mark,
            )

    def construct_mapping(self, node: MappingNode, deep: bool = False) -> dict[Any, Any]:
        if isinstance(node, MappingNode):
            seen: dict[Any, Any] = {}
            for key_node, _value in node.value:
                if key_node.tag == "tag:yaml.org,2002:merge":
                    continue
                key = self.construct_object(key_node, deep=True)
                try:
                    first = seen.get(key)
                except TypeError:
                    continue  # an unhashable key: the constructor reports it
                if first is not None:
                    raise YamlRefused(
                        None,
                        None,
                        f"duplicate key {key!r} (first at line {first.line + 1}): refused",
                        key_node.start_mark,
                    )
                seen[key] = key_node.start_mark
        return super().construct_mapping(node, deep=deep)


def load(text: str, *, name: str = "<string>") -> Any:
    """Parse one YAML document; ``name`` (the file) appears in every error."""
    loader = _BoundedLoader(text, name)
    try:
        return loader.get_single_data()
    finally:
        loader.dispose()


def where(error: yaml.YAMLError, default: str) -> str:
    """``file, line L, column C`` of a YAML error, else ``default``."""
    mark = getattr(error, "problem_mark", None)
    if mark is None:
        return default
    place = f"line {mark.line + 1}, column {mark.column + 1}"
    return place if mark.name in ("<string>", "<unicode string>", "") else f"{mark.name}, {place}"
