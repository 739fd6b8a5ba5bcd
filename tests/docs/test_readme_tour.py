"""The README's five-minute tour, followed as written on a demo server started from a clean state.

The tour's steps are read from README.md's markers, in order: the sign-in values, the guide's mutation
and the answers it gets, the values of "Add a relationship", the shell commands (curl and
``manage.py metadata``) with their output, and the excerpt of ``metadata/actions.yaml``. The console
is used over HTTP like a person would: links followed by their text, forms filled by their labels.
Shell commands run in bash, with the README's address and ``.venv/bin/python manage.py`` pointed at the
test's server and interpreter. Only ``last_login``, the time of the call, may differ from the README.
"""

import html
import json
import re
import subprocess
import sys

import pytest
import yaml

from tests.docs.conftest import demo_server
from tests.docs.console_browser import ConsoleBrowser, Page
from tests.docs.marked_blocks import ROOT, Marked, marked_blocks, table_rows

README = ROOT / "README.md"
README_URL = "http://127.0.0.1:8000"
README_MANAGE = ".venv/bin/python manage.py"
TIMEOUT_SECONDS = 60
ISO_MILLISECONDS = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
GRAPHIQL_CONFIG = re.compile(r'<script id="graphiql-config" type="application/json">(.*?)</script>', re.S)
TAGS = re.compile(r"<[^>]+>")


class Tour:
    """The README's marked tour blocks, taken in the order the README gives them."""

    def __init__(self, blocks: list[Marked]) -> None:
        self.blocks = [block for block in blocks if block.kind == "tour"]
        self.position = 0

    def take(self, step: str) -> Marked:
        """The next block, which must be of this step."""
        assert self.position < len(self.blocks), f"the README's tour ends before its {step!r} step"
        block = self.blocks[self.position]
        assert block.argument.split()[0] == step, f"README line {block.line}: expected a {step!r} step"
        self.position += 1
        return block

    def finished(self) -> bool:
        return self.position == len(self.blocks)


# The console --------------------------------------------------------------------------------------


def sign_in(browser: ConsoleBrowser, values: Marked) -> Page:
    page = browser.open("/")
    form = page.form_with_button("Sign in")
    browser.fill(page, form, table_rows(values.text))
    return browser.submit(page, form)


def open_relationships(browser: ConsoleBrowser, page: Page) -> Page:
    """Actions, then createUser, then its Relationships tab."""
    return browser.click(browser.click(browser.click(page, "Actions"), "createUser"), "Relationships")


def relationship_row(page: Page, name: str) -> str | None:
    """The text of the relationship's row in the Relationships tab, or None."""
    found = re.search(rf'<tr id="relationship-{name}">(.*?)</tr>', page.html, re.S)
    return None if found is None else " ".join(html.unescape(TAGS.sub(" ", found.group(1))).split())


def delete_user_relationship(browser: ConsoleBrowser, page: Page) -> Page:
    assert relationship_row(page, "user") == "user object default · public.users id → id Edit Delete"
    page = browser.submit(page, page.form_with_button("Delete"))
    assert relationship_row(page, "user") is None
    return page


def add_relationship(browser: ConsoleBrowser, page: Page, values: Marked) -> Page:
    page = browser.click(page, "Add a relationship")
    form = page.form_with_button("Save")
    browser.fill(page, form, table_rows(values.text))
    return browser.submit(page, form)


def run_in_api_tab(browser: ConsoleBrowser, page: Page, query: str) -> dict:
    """What GraphiQL in the API tab does with the query: POST it to its endpoint, with its headers."""
    api = browser.click(page, "API")
    config = json.loads(GRAPHIQL_CONFIG.search(api.html).group(1))
    answer = browser.session.post(
        browser.base_url + config["endpoint"],
        json={"query": query},
        headers=json.loads(config["headers"]),
        timeout=TIMEOUT_SECONDS,
    )
    assert answer.status_code == 200
    return answer.json()


# The shell ----------------------------------------------------------------------------------------


def run_shell(server, workdir, block: Marked) -> str:
    """Run the README's commands in bash against the test's server; return what they print."""
    script = block.text.replace(README_URL, server.url).replace(
        README_MANAGE, f"{sys.executable} {ROOT / 'manage.py'}"
    )
    done = subprocess.run(
        ["bash", "-e", "-o", "pipefail", "-c", script],
        cwd=workdir,
        env=server.env,
        capture_output=True,
        text=True,
        timeout=TIMEOUT_SECONDS,
        check=False,
    )
    assert done.returncode == 0, f"README line {block.line}:\n{script}\n{done.stdout}{done.stderr}"
    return done.stdout


def with_documented_login_times(actual, documented):
    """``actual`` with each ``last_login`` that is a real timestamp replaced by the README's."""
    if isinstance(actual, dict) and isinstance(documented, dict):
        return {
            key: documented[key]
            if key == "last_login" and ISO_MILLISECONDS.match(str(value)) and key in documented
            else with_documented_login_times(value, documented.get(key))
            for key, value in actual.items()
        }
    if isinstance(actual, list) and isinstance(documented, list) and len(actual) == len(documented):
        return [with_documented_login_times(a, d) for a, d in zip(actual, documented, strict=True)]
    return actual


def assert_printed(printed: str, output: Marked) -> None:
    if output.language == "json":
        documented = json.loads(output.text)
        assert with_documented_login_times(json.loads(printed), documented) == documented
    else:
        assert printed.strip() == output.text.strip()


def contains(excerpt, whole) -> bool:
    """True when ``whole`` has everything ``excerpt`` shows: the same keys' values, lists' first items."""
    if isinstance(excerpt, dict):
        return isinstance(whole, dict) and all(
            key in whole and contains(v, whole[key]) for key, v in excerpt.items()
        )
    if isinstance(excerpt, list):
        return isinstance(whole, list) and len(whole) >= len(excerpt) and all(map(contains, excerpt, whole))
    return excerpt == whole


# The tour -----------------------------------------------------------------------------------------


@pytest.fixture
def tour():
    return Tour(marked_blocks(README))


def test_the_first_lines_are_the_two_commands():
    lines = README.read_text().splitlines()

    assert lines[:3] == ["# Joinery", "", "```sh"]
    assert lines[3].startswith("make run ")
    assert lines[4].startswith("make test ")


def test_the_tour_works_as_written(tour, tmp_path):
    workdir = tmp_path / "clone"
    workdir.mkdir()
    with demo_server(tmp_path) as server:
        browser = ConsoleBrowser(server.url)
        assert "Created the console user 'admin' with password 'admin'" in server.setup_output

        # 1. In the console: sign in, delete the demo's relationship, see the mutation fail.
        page = open_relationships(browser, sign_in(browser, tour.take("sign-in")))
        page = delete_user_relationship(browser, page)
        failing = tour.take("graphql").text
        assert run_in_api_tab(browser, page, failing) == json.loads(tour.take("response").text)

        # Add it again with the guide's values; the mutation joins the new users row.
        page = add_relationship(browser, page, tour.take("relationship"))
        assert relationship_row(page, "user") == "user object default · public.users id → id Edit Delete"
        joined = tour.take("graphql").text
        assert joined == failing
        assert run_in_api_tab(browser, page, joined) == json.loads(tour.take("response").text)

        # 2. The same with curl, then one join further, to the remote schema.
        for _ in range(2):
            assert_printed(run_shell(server, workdir, tour.take("shell")), tour.take("output"))

        # 3. From a metadata directory: export, delete in the console, diff and apply put it back.
        assert_printed(run_shell(server, workdir, tour.take("shell")), tour.take("output"))
        excerpt = tour.take("excerpt")
        exported = workdir / excerpt.argument.split()[1]
        assert contains(yaml.safe_load(excerpt.text), yaml.safe_load(exported.read_text()))
        delete_user_relationship(browser, open_relationships(browser, browser.open("/")))
        assert_printed(run_shell(server, workdir, tour.take("shell")), tour.take("output"))

        again = run_in_api_tab(browser, page, joined)
        assert again["data"]["createUser"]["user"] == {"name": "Hodor", "auth0_id": "hodor|hodor"}
        assert tour.finished()


def test_every_link_of_the_readme_leads_to_a_file():
    links = re.findall(r"\]\(((?:docs/)[^)#]+)(?:#[^)]*)?\)", README.read_text())

    assert "docs/relationships.md" in links
    assert [link for link in links if not (ROOT / link).exists()] == []
