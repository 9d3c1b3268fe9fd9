"""The policy's HTML as plain text: whole, as lines, or one section by its id.

The R7 checklist reads the text a visitor reads (tags dropped, entities decoded,
whitespace collapsed), and the back-office diff compares the lines of it.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

# Elements that end a line of text; table cells are joined with " | ".
BLOCKS = frozenset(
    {
        "address", "article", "br", "dd", "div", "dl", "dt", "footer", "h1", "h2", "h3",
        "h4", "h5", "h6", "header", "li", "ol", "p", "section", "table", "tbody", "thead",
        "tr", "ul",
    }
)  # fmt: skip
CELLS = frozenset({"td", "th"})
VOID = frozenset({"br", "hr", "img", "input", "meta", "link", "wbr"})
_SPACES = re.compile(r"\s+")


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.chunks: list[str] = []
        # Stack of (tag, section id or None) and the text collected for each open id.
        self.stack: list[tuple[str, str | None]] = []
        self.sections: dict[str, list[str]] = {}
        self.open_ids: list[str] = []

    def _emit(self, value: str) -> None:
        self.chunks.append(value)
        for section in self.open_ids:
            self.sections[section].append(value)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in BLOCKS:
            self._emit("\n")
        elif tag in CELLS:
            self._emit(" | ")
        if tag in VOID:
            return
        section = dict(attrs).get("id")
        if section:
            self.sections.setdefault(section, [])
            self.open_ids.append(section)
        self.stack.append((tag, section))

    def handle_endtag(self, tag: str) -> None:
        if tag in BLOCKS:
            self._emit("\n")
        # Close up to the matching tag; tolerate sloppy nesting.
        for index in range(len(self.stack) - 1, -1, -1):
            if self.stack[index][0] == tag:
                for _tag, section in self.stack[index:]:
                    if section and section in self.open_ids:
                        self.open_ids.remove(section)
                del self.stack[index:]
                break

    def handle_data(self, data: str) -> None:
        self._emit(data)


def _lines(raw: str) -> list[str]:
    out = []
    for line in raw.split("\n"):
        line = _SPACES.sub(" ", line).strip(" |").strip()
        if line:
            out.append(line)
    return out


class PolicyText:
    """Plain text of a rendered policy body."""

    def __init__(self, html: str) -> None:
        collector = _Collector()
        collector.feed(html)
        collector.close()
        self.lines: list[str] = _lines("".join(collector.chunks))
        self.text = " ".join(self.lines)
        self._sections = {
            key: " ".join(_lines("".join(v))) for key, v in collector.sections.items()
        }

    def has_section(self, section: str) -> bool:
        return section in self._sections

    def section(self, section: str) -> str:
        """The text of the element with ``id=section`` ("" when there is none)."""
        return self._sections.get(section, "")


def normalise(value: str) -> str:
    """Collapse whitespace, so that a register value matches however it was wrapped."""
    return _SPACES.sub(" ", value).strip()
