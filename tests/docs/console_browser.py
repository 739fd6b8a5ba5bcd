"""A small browser for the console over HTTP: follow links by their text, fill forms by their labels.

It does on the server-rendered pages what a person does, and for dependent selects what console.js
does: it asks the endpoint in ``data-choices`` for the options, passing the values of the controls
that ``data-depends`` names (``source=id_reference_source``) and the fixed ``data-params``.
"""

from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import parse_qsl, urljoin

import requests

TIMEOUT_SECONDS = 30


@dataclass
class Control:
    """A form control: its name, its current value and, for a select, its (value, label) options."""

    name: str
    value: str = ""
    options: list[tuple[str, str]] | None = None
    attributes: dict = field(default_factory=dict)


@dataclass
class Form:
    """A form: where it posts, its controls by id (and unnamed ones by name), and its buttons' texts."""

    action: str
    controls: dict[str, Control] = field(default_factory=dict)
    buttons: list[str] = field(default_factory=list)

    def data(self) -> dict[str, str]:
        """What submitting it sends as it stands."""
        return {control.name: control.value for control in self.controls.values()}


class _Parser(HTMLParser):
    """Collects links (text, href), forms, and label texts by the id they are for; skips <template>."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.links, self.forms, self.labels = [], [], {}
        self._link = self._label = self._option = self._button = None
        self._select = None
        self._templates = 0

    def handle_starttag(self, tag, attrs):
        attributes = {key: value or "" for key, value in attrs}
        if tag == "template":
            self._templates += 1
        if self._templates:
            return
        if tag == "a" and "href" in attributes:
            self._link = [attributes["href"], ""]
        elif tag == "label":
            self._label = attributes.get("for", "")
            self.labels[self._label] = ""
        elif tag == "form":
            self.forms.append(Form(attributes.get("action", "")))
        elif tag in ("input", "textarea") and self.forms and "name" in attributes:
            self._add_control(attributes, Control(attributes["name"], attributes.get("value", "")))
        elif tag == "select" and self.forms:
            self._select = self._add_control(attributes, Control(attributes["name"], options=[]))
        elif tag == "option" and self._select is not None:
            self._option = [attributes.get("value", ""), ""]
            if "selected" in attributes:
                self._select.value = self._option[0]
        elif tag == "button":
            self._button = ""

    def _add_control(self, attributes, control):
        control.attributes = attributes
        self.forms[-1].controls[attributes.get("id") or control.name] = control
        return control

    def handle_endtag(self, tag):
        if tag == "template":
            self._templates -= 1
        if self._templates:
            return
        if tag == "a" and self._link is not None:
            self.links.append((" ".join(self._link[1].split()), self._link[0]))
            self._link = None
        elif tag == "label":
            self._label = None
        elif tag == "option" and self._option is not None:
            self._select.options.append((self._option[0], " ".join(self._option[1].split())))
            self._option = None
        elif tag == "select":
            self._select = None
        elif tag == "button" and self._button is not None:
            if self.forms:
                self.forms[-1].buttons.append(" ".join(self._button.split()))
            self._button = None

    def handle_data(self, data):
        if self._templates:
            return
        for part in (self._link, self._option):
            if part is not None:
                part[1] += data
        if self._label is not None:
            self.labels[self._label] += data
        if self._button is not None:
            self._button += data


@dataclass
class Page:
    """A fetched page."""

    url: str
    html: str
    links: list[tuple[str, str]]
    forms: list[Form]
    labels: dict[str, str]

    def link(self, text: str) -> str:
        """The absolute URL of the link with exactly this text (all such links must agree)."""
        targets = {urljoin(self.url, href) for label, href in self.links if label == text}
        assert len(targets) == 1, f"links named {text!r} on {self.url}: {sorted(targets)}"
        return targets.pop()

    def form_with_button(self, text: str) -> Form:
        """The one form with a button of this text."""
        found = [form for form in self.forms if text in form.buttons]
        assert len(found) == 1, f"{len(found)} forms with a {text!r} button on {self.url}"
        return found[0]

    def control_labelled(self, form: Form, text: str) -> Control:
        """The control of ``form`` whose <label> reads ``text`` (a trailing colon ignored)."""
        ids = [key for key, label in self.labels.items() if " ".join(label.split()).rstrip(":") == text]
        found = [form.controls[key] for key in ids if key in form.controls]
        assert len(found) == 1, f"{len(found)} controls labelled {text!r} on {self.url}"
        return found[0]


class ConsoleBrowser:
    """A signed-out visitor of the console at ``base_url``, with its own cookies."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.session = requests.Session()

    def open(self, url: str) -> Page:
        """GET a page (following redirects) and read it."""
        response = self.session.get(urljoin(self.base_url, url), timeout=TIMEOUT_SECONDS)
        assert response.status_code == 200, f"{url}: {response.status_code}"
        parser = _Parser()
        parser.feed(response.text)
        return Page(response.url, response.text, parser.links, parser.forms, parser.labels)

    def click(self, page: Page, text: str) -> Page:
        """Follow the link with this text."""
        return self.open(page.link(text))

    def fill(self, page: Page, form: Form, values: list[tuple[str, str]]) -> None:
        """Set each labelled control to its value, in order: a select's option by its label or value."""
        for label, value in values:
            control = page.control_labelled(form, label)
            control.value = value if control.options is None else self._option(form, control, value)

    def submit(self, page: Page, form: Form) -> Page:
        """Post the form as it stands; the console answers a successful post with a redirect."""
        response = self.session.post(
            urljoin(page.url, form.action or page.url),
            data=form.data(),
            headers={"Referer": page.url},
            allow_redirects=False,
            timeout=TIMEOUT_SECONDS,
        )
        assert response.status_code == 302, f"{page.url}: {response.status_code}\n{response.text}"
        return self.open(response.headers["Location"])

    def _option(self, form: Form, control: Control, wanted: str) -> str:
        # console.js reloads a dependent select whenever a control it depends on changes.
        options = self._choices(form, control) if "data-choices" in control.attributes else control.options
        found = [value for value, label in options if wanted in (value, label)]
        assert found, f"no option {wanted!r} in {control.name}: {options}"
        return found[0]

    def _choices(self, form: Form, control: Control) -> list[tuple[str, str]]:
        """The options console.js would load for a dependent select."""
        url = control.attributes["data-choices"]
        params = dict(parse_qsl(control.attributes.get("data-params", "")))
        for pair in control.attributes.get("data-depends", "").split():
            key, control_id = pair.split("=", 1)
            params[key] = form.controls[control_id].value
        answer = self.session.get(urljoin(self.base_url, url), params=params, timeout=TIMEOUT_SECONDS)
        return [(choice["value"], choice["label"]) for choice in answer.json()["choices"]]
