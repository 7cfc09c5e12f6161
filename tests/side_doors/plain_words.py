"""Plain words (issue 20): no page a person reads shows the system's codes.

The no-side-door crawler already fetches every page as every role; it hands each HTML page here, so
the check covers every page (including one added later) without a second crawl. Only the text a
person reads is checked: tag attributes (links, form values) and scripts may carry codes.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

# What a page must never show a person, each with the reason a reviewer reads in the failure.
RAW_CODE_PATTERNS = {
    "a protocol reference instead of its title and clause": re.compile(r"\bprotocol:[\w-]+:v\d+", re.I),
    "a snake_case code instead of its label": re.compile(r"\b[a-z]+(?:_[a-z]+)+\b"),
    "a strftime directive": re.compile(r"%[dmyYHMSbBIpj]"),
    "a time as a.m./p.m. (GOV.UK style is 6:14pm, midnight, midday)": re.compile(
        r"(?<![a-z])[ap]\.m\.|\d\s?(?:AM|PM)\b|\bnoon\b"
    ),
}
# Pages not written for partnership staff: Django's admin (a developer's tool over the models).
NOT_CHECKED = ("/admin/",)


class _VisibleText(HTMLParser):
    """The text of a page as a person reads it: no tags, attributes, scripts or styles, and no code
    blocks (`pre`, `code`: a technical appendix, such as the linkage model's JSON, shown as code)."""

    SKIPPED = {"script", "style", "template", "pre", "code"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skipping = 0

    def handle_starttag(self, tag, attrs):
        if tag in self.SKIPPED:
            self._skipping += 1

    def handle_endtag(self, tag):
        if tag in self.SKIPPED and self._skipping:
            self._skipping -= 1

    def handle_data(self, data):
        if not self._skipping:
            self.parts.append(data)


def visible_text(html: str) -> str:
    parser = _VisibleText()
    parser.feed(html)
    return " ".join(parser.parts)


def raw_codes(url: str, response, body: bytes, allowed: frozenset[str] = frozenset()) -> list[str]:
    """Each raw code the page at `url` shows a person, as 'what: the text found' (empty when plain)."""
    if url.startswith(NOT_CHECKED) or "text/html" not in response.get("Content-Type", ""):
        return []
    text = visible_text(body.decode("utf-8", "replace"))
    found = []
    for what, pattern in RAW_CODE_PATTERNS.items():
        for match in sorted({m.group(0) for m in pattern.finditer(text)} - allowed):
            found.append(f"{what}: {match!r}")
    return found
