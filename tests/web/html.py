"""A small HTML reader for page tests: links with their text, elements by id, tables."""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
        "track", "wbr", "path", "rect", "line"}  # fmt: skip


@dataclass
class Element:
    tag: str
    attrs: dict[str, str]
    parent: Element | None
    children: list[Element] = field(default_factory=list)
    texts: list[str] = field(default_factory=list)  # own text and descendants', in order
    # the same as a reader hears it: nothing of <svg>/<script>/<style> or aria-hidden, a
    # <br> as a space (web/export.py's rule for a table cell's text)
    shown: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        return " ".join(" ".join(self.texts).split())

    def inside(self, tag: str) -> bool:
        node = self.parent
        while node is not None:
            if node.tag == tag:
                return True
            node = node.parent
        return False

    def hidden(self) -> bool:
        """Hidden from screen readers: ``aria-hidden="true"`` on it or on an ancestor."""
        node: Element | None = self
        while node is not None:
            if node.attrs.get("aria-hidden") == "true":
                return True
            node = node.parent
        return False

    def find_all(self, tag: str) -> list[Element]:
        out = []
        for child in self.children:
            if child.tag == tag:
                out.append(child)
            out += child.find_all(tag)
        return out


class Page(HTMLParser):
    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Element("#root", {}, None)
        self.current = self.root
        self.by_id: dict[str, Element] = {}
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        node = Element(tag, {k: v or "" for k, v in attrs}, self.current)
        self.current.children.append(node)
        if "id" in node.attrs:
            self.by_id[node.attrs["id"]] = node
        if tag not in VOID:
            self.current = node
        elif tag == "br":
            self._show(" ")

    def handle_endtag(self, tag: str) -> None:
        node = self.current
        while node.parent is not None and node.tag != tag:
            node = node.parent
        if node.parent is not None:
            self.current = node.parent

    def handle_data(self, data: str) -> None:
        node: Element | None = self.current
        while node is not None:
            node.texts.append(data)
            node = node.parent
        self._show(data)

    def _show(self, data: str) -> None:
        node: Element | None = self.current
        chain = []
        while node is not None:
            if node.tag in ("svg", "script", "style", "template") or node.hidden():
                return
            chain.append(node)
            node = node.parent
        for n in chain:
            n.shown.append(data)

    def links(self) -> list[tuple[str, str]]:
        return [(a.attrs.get("href", ""), a.text) for a in self.root.find_all("a")]

    def rows(self, table_id: str = "records") -> list[list[str]]:
        body = self.by_id[table_id].find_all("tbody")[0]
        return [[td.text for td in tr.find_all("td")] for tr in body.find_all("tr")]
