"""Reading a page's form as a browser would submit it, for tests over ASGI."""

from html.parser import HTMLParser


class _FormReader(HTMLParser):
    """The fields a browser would send for one form: inputs, checked boxes, selected options,
    textareas."""

    def __init__(self, action: str) -> None:
        super().__init__()
        self.action, self.inside, self.fields = action, False, []
        self._select: str | None = None
        self._first: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self.inside = a.get("action") == self.action
        if not self.inside:
            return
        if tag == "input" and a.get("name"):
            if a.get("type") != "checkbox" or "checked" in a:
                self.fields.append((a["name"], a.get("value") or ("on" if "checked" in a else "")))
        elif tag == "select":
            self._select, self._first = a.get("name"), None
        elif tag == "option" and self._select is not None:
            self._first = a["value"] if self._first is None else self._first
            if "selected" in a:
                self.fields.append((self._select, a["value"]))
                self._select = None
        elif tag == "textarea":
            self._textarea = a.get("name")
            self.fields.append((a["name"], ""))

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            name, value = self.fields[-1]
            self.fields[-1] = (name, value + data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "select" and self._select is not None:
            self.fields.append((self._select, self._first or ""))
            self._select = None
        elif tag == "textarea":
            self._textarea = None
        elif tag == "form":
            self.inside = False


def form_fields(html: str, action: str) -> dict[str, str]:
    """What the form posting to `action` sends as it stands on the page."""
    reader = _FormReader(action)
    reader.feed(html)
    return dict(reader.fields)
