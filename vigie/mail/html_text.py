"""Read what a reader actually sees in an HTML e-mail: its text, its paragraphs and
its visible links. Used to check the R37 elements of marketing messages."""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser

_BLOCKS = frozenset({"p", "div", "li", "td", "th", "h1", "h2", "h3", "h4", "footer", "section"})
_INVISIBLE = frozenset({"head", "style", "script", "title"})
_HIDING = ("display:none", "visibility:hidden", "font-size:0")


@dataclass
class HtmlContent:
    text: str = ""
    #: The whitespace-normalised text of each innermost block element.
    blocks: list[str] = field(default_factory=list)
    #: hrefs of links that show some text and are not hidden by their style.
    visible_links: list[str] = field(default_factory=list)


class _Reader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.content = HtmlContent()
        self._text: list[str] = []
        self._blocks: list[list[str]] = []
        self._links: list[tuple[str, bool, list[str]]] = []
        self._invisible = 0
        self._hidden = 0
        self._stack: list[tuple[str, bool]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in {"br", "img", "hr", "meta", "link", "input"}:
            return
        values = dict(attrs)
        style = (values.get("style") or "").replace(" ", "").lower()
        hides = "hidden" in values or any(h in style for h in _HIDING)
        self._stack.append((tag, hides))
        self._hidden += hides
        if tag in _INVISIBLE:
            self._invisible += 1
        if tag in _BLOCKS:
            self._blocks.append([])
        if tag == "a":
            self._links.append((values.get("href") or "", self._hidden > 0, []))

    def handle_endtag(self, tag: str) -> None:
        # Unwind to the matching start tag, tolerating unclosed elements.
        if not any(name == tag for name, _hides in self._stack):
            return
        while self._stack:
            name, hides = self._stack.pop()
            self._hidden -= hides
            if name in _INVISIBLE:
                self._invisible -= 1
            if name in _BLOCKS and self._blocks:
                words = " ".join("".join(self._blocks.pop()).split())
                if words:
                    self.content.blocks.append(words)
            if name == "a" and self._links:
                href, hidden, label = self._links.pop()
                if href and not hidden and "".join(label).strip():
                    self.content.visible_links.append(href)
            if name == tag:
                break

    def handle_data(self, data: str) -> None:
        if self._invisible or self._hidden:
            return
        self._text.append(data)
        if self._blocks:
            self._blocks[-1].append(data)
        for _href, _hidden, label in self._links:
            label.append(data)

    def close(self) -> None:
        super().close()
        self.content.text = " ".join("".join(self._text).split())


def read_html(html: str) -> HtmlContent:
    reader = _Reader()
    reader.feed(html)
    reader.close()
    return reader.content
