"""Room notification HTML cut down to what HipChat rendered: a few tags, safe links, text escaped."""

from __future__ import annotations

from html import escape
from html.parser import HTMLParser

# "html: a, b, i, strong, em, br, img, pre, code, lists, tables" (hipchat.md §3, send room notification).
ALLOWED = {"a", "b", "i", "strong", "em", "br", "img", "pre", "code", "ul", "ol", "li",
           "table", "thead", "tbody", "tr", "th", "td"}
VOID = {"br", "img"}
ATTRIBUTES = {"a": {"href"}, "img": {"src", "alt", "width", "height"}, "td": {"colspan", "rowspan"},
              "th": {"colspan", "rowspan"}}
URL_ATTRIBUTES = {"href", "src"}
SAFE_SCHEMES = ("http://", "https://", "mailto:")
# Their content is not text a reader should see, so it goes with the tag.
DROP_WITH_CONTENT = {"script", "style", "iframe", "object", "embed", "template", "textarea", "select", "title"}


class _Sanitiser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.open: list[str] = []
        self.dropping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in DROP_WITH_CONTENT:
            self.dropping += 1
            return
        if self.dropping or tag not in ALLOWED:
            return
        kept = []
        for name, value in attrs:
            if name not in ATTRIBUTES.get(tag, set()) or value is None:
                continue
            if name in URL_ATTRIBUTES and not value.strip().lower().startswith(SAFE_SCHEMES):
                continue
            kept.append(f' {name}="{escape(value, quote=True)}"')
        if tag == "a":
            # Links open outside the chat, as HipChat's client did.
            kept.append(' target="_blank" rel="noopener noreferrer"')
        self.out.append(f"<{tag}{''.join(kept)}>")
        if tag not in VOID:
            self.open.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in VOID and self.open and self.open[-1] == tag:
            self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in DROP_WITH_CONTENT:
            self.dropping = max(0, self.dropping - 1)
            return
        if self.dropping or tag not in self.open:
            return
        while self.open:  # close what was left open inside it, so the markup stays balanced
            top = self.open.pop()
            self.out.append(f"</{top}>")
            if top == tag:
                break

    def handle_data(self, data: str) -> None:
        if not self.dropping:
            self.out.append(escape(data, quote=False))

    def result(self) -> str:
        self.close()
        return "".join(self.out) + "".join(f"</{t}>" for t in reversed(self.open))


def sanitise_html(html: str) -> str:
    """`html` with only HipChat's tags and attributes; everything else is dropped or shown as text."""
    parser = _Sanitiser()
    parser.feed(html)
    return parser.result()


def text_to_html(text: str) -> str:
    """A `message_format: text` notification: shown as typed, line breaks kept."""
    return escape(text, quote=False).replace("\n", "<br>")
