"""Reading console pages in tests: element text by id, labels, select options, and form post data."""

from html.parser import HTMLParser

VOID_ELEMENTS = {"input", "br", "img", "meta", "link", "hr", "option-void"}


class _Page(HTMLParser):
    """Collects, per element id, its text; per label target, the label text; per select, its options."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.open = []  # [(tag, id)]
        self.texts = {}
        self.labels = {}
        self.options = {}
        self.selected = {}
        self._label_for = None
        self._select = None
        self._option = None

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "label":
            self._label_for = attributes.get("for")
            self.labels.setdefault(self._label_for, "")
        if tag == "select":
            self._select = attributes.get("id")
            self.options[self._select] = []
        if tag == "option" and self._select is not None:
            self._option = attributes.get("value", "")
            self.options[self._select].append(self._option)
            if "selected" in attributes:
                self.selected[self._select] = self._option
        if tag not in VOID_ELEMENTS:
            self.open.append((tag, attributes.get("id")))
            if attributes.get("id"):
                self.texts.setdefault(attributes["id"], "")

    def handle_endtag(self, tag):
        if tag == "label":
            self._label_for = None
        if tag == "select":
            self._select = None
        while self.open:
            opened, _ = self.open.pop()
            if opened == tag:
                break

    def handle_data(self, data):
        for _, element_id in self.open:
            if element_id:
                self.texts[element_id] += data + " "
        if self._label_for is not None:
            self.labels[self._label_for] += data


def parse(response):
    page = _Page()
    page.feed(response.content.decode())
    return page


def text(response, element_id):
    """The whitespace-normalised text inside the element with this id (None if there is none)."""
    found = parse(response).texts.get(element_id)
    return None if found is None else " ".join(found.split())


def labels(response):
    """{control id: label text} for every <label for=...>."""
    return {key: " ".join(value.split()) for key, value in parse(response).labels.items() if key}


def options(response, select_id):
    """The option values of a select, in order."""
    return parse(response).options.get(select_id)


def rows(prefix, items, initial=0):
    """Post data for a row set (Django formset): management form plus one row per dict."""
    data = {
        f"{prefix}-TOTAL_FORMS": str(len(items)),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }
    for index, item in enumerate(items):
        for key, value in item.items():
            data[f"{prefix}-{index}-{key}"] = value
    return data
