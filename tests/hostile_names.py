"""Video names a page must show as text (markup, quotes, ampersands, non-ASCII, spaces,
Markdown), and what a page holds once parsed: its elements and its text."""

from __future__ import annotations

from html.parser import HTMLParser

HOSTILE_NAMES = [
    "<svg onload=alert(2)>",
    "<img src=x onerror=alert(1)>",
    "a \"quoted\" & 'single' name",
    "&lt;b&gt; entity",
    "é東 ünïcode",
    "two  spaces",
    "*em* _u_ `code` [link](javascript:alert(3)) |pipe|",
    "back\\slash $x^$",
    "__dunder__ snake_case_",
]
# The elements a page of depthfake.reporting.text.html_page may hold: document structure only.
PAGE_ELEMENTS = {"html", "head", "meta", "title", "style", "body", "h1", "h2", "h3", "p", "ul",
                 "li", "hr", "table", "thead", "tbody", "tr", "th", "td", "strong", "em", "code"}


class PageParser(HTMLParser):
    """Collects every element (tag, attributes) and the text of each table cell and item."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.elements: set[tuple[str, tuple]] = set()
        self.cells: list[str] = []
        self.text = ""
        self._cell: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        self.elements.add((tag, tuple(attrs)))
        if tag in ("td", "th", "li"):
            self._cell = []

    def handle_endtag(self, tag):
        if tag in ("td", "th", "li") and self._cell is not None:
            self.cells.append("".join(self._cell))
            self._cell = None

    def handle_data(self, data):
        self.text += data
        if self._cell is not None:
            self._cell.append(data)


def parse_page(page: str) -> PageParser:
    parser = PageParser()
    parser.feed(page)
    parser.close()
    return parser


def injected(page: str) -> set[tuple[str, tuple]]:
    """The elements of a page beyond document structure, and any attribute but the charset."""
    return {(tag, attrs) for tag, attrs in parse_page(page).elements
            if tag not in PAGE_ELEMENTS or attrs not in ((), (("charset", "utf-8"),))}
