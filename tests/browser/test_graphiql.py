"""The console's API tab in Chromium: GraphiQL from vendored files only, wired to /v1/graphql."""

import json
from urllib.parse import quote, urlsplit

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

GRAPHIQL_ASSETS = {
    "/static/vendor/graphiql/graphiql.min.css",
    "/static/vendor/graphiql/graphiql-plugin-explorer.css",
    "/static/vendor/graphiql/fetch.umd.js",
    "/static/vendor/graphiql/react.production.min.js",
    "/static/vendor/graphiql/react-dom.production.min.js",
    "/static/vendor/graphiql/graphiql.min.js",
    "/static/vendor/graphiql/graphiql-plugin-explorer.umd.js",
    "/static/console/graphiql-init.js",
}
QUERY_EDITOR = ".graphiql-query-editor .CodeMirror"
VISIBLE_TOOL_EDITOR = ".graphiql-editor-tool .graphiql-editor:not(.hidden) .CodeMirror"
RESULT_PANE = ".result-window .CodeMirror"
EDITOR_TEXT = "(selector) => document.querySelector(selector).CodeMirror.getValue()"


def open_api_page(page, live_server, query=None):
    """Load the API tab (optionally with ?query=) and wait until GraphiQL's editor is up."""
    suffix = "" if query is None else f"?query={quote(query)}"
    page.goto(f"{live_server.url}/console/api{suffix}")
    page.wait_for_selector(QUERY_EDITOR)


def editor_text(page, selector):
    return page.evaluate(EDITOR_TEXT, selector)


def header_editor_text(page):
    page.get_by_role("button", name="Headers", exact=True).click()
    return editor_text(page, VISIBLE_TOOL_EDITOR)


def run_query(page, query):
    """Put `query` in the editor, press run, and return the POST GraphiQL sent for it."""
    page.evaluate(
        "(query) => document.querySelector('.graphiql-query-editor .CodeMirror').CodeMirror.setValue(query)",
        query,
    )
    with page.expect_request(lambda r: r.method == "POST" and query in (r.post_data or "")) as sent:
        page.click(".graphiql-execute-button")
    return sent.value


def test_api_page_renders_from_vendored_files_only(admin_page, live_server, request_log):
    open_api_page(admin_page, live_server)

    assert admin_page.locator(".graphiql-container").is_visible()
    loaded_paths = {urlsplit(url).path for url in request_log.requests}
    assert loaded_paths >= GRAPHIQL_ASSETS
    assert request_log.off_host == []
    assert request_log.page_errors == []


def test_graphiql_fills_the_viewport_under_the_top_bar(admin_page, live_server):
    open_api_page(admin_page, live_server)

    topbar = admin_page.locator(".topbar").bounding_box()
    graphiql = admin_page.locator(".graphiql-container").bounding_box()
    viewport = admin_page.viewport_size
    assert graphiql["y"] == pytest.approx(topbar["y"] + topbar["height"], abs=1)
    assert graphiql["y"] + graphiql["height"] == pytest.approx(viewport["height"], abs=1)
    assert graphiql["width"] == pytest.approx(viewport["width"], abs=1)
    assert admin_page.evaluate("() => document.scrollingElement.scrollHeight") <= viewport["height"]


def test_query_parameter_prefills_the_editor(admin_page, live_server):
    query = 'query Named { __typename other: __typename @skip(if: true) } # "quoted" </script>'
    open_api_page(admin_page, live_server, query=query)

    assert editor_text(admin_page, QUERY_EDITOR) == query


def test_explorer_plugin_opens(admin_page, live_server, request_log):
    open_api_page(admin_page, live_server)

    admin_page.click("button[aria-label='Show GraphiQL Explorer']")

    admin_page.wait_for_selector(".graphiql-explorer-root")
    assert request_log.page_errors == []


def test_admin_secret_is_prefilled_and_sent_but_never_stored(admin_page, live_server, settings):
    settings.ADMIN_SECRET = "browser-test-secret"
    open_api_page(admin_page, live_server)

    assert json.loads(header_editor_text(admin_page)) == {"X-Hasura-Admin-Secret": "browser-test-secret"}
    sent = run_query(admin_page, "{ __typename }")
    assert urlsplit(sent.url).path == "/v1/graphql"
    assert sent.headers["x-hasura-admin-secret"] == "browser-test-secret"
    assert sent.headers["x-csrftoken"]
    admin_page.wait_for_function("() => localStorage.getItem('graphiql:queries') !== null")
    assert "browser-test-secret" not in admin_page.evaluate("() => JSON.stringify(localStorage)")


def test_history_from_an_earlier_visit_keeps_the_admin_secret(admin_page, live_server, settings):
    settings.ADMIN_SECRET = "browser-test-secret"
    open_api_page(admin_page, live_server)
    run_query(admin_page, "{ earlier: __typename }")
    admin_page.wait_for_function("() => localStorage.getItem('graphiql:queries') !== null")

    open_api_page(admin_page, live_server)
    admin_page.click("button[aria-label='Show History']")
    admin_page.get_by_role("button", name="{ earlier: __typename }").click()

    assert editor_text(admin_page, QUERY_EDITOR) == "{ earlier: __typename }"
    assert json.loads(header_editor_text(admin_page)) == {"X-Hasura-Admin-Secret": "browser-test-secret"}


def test_header_editor_starts_empty_without_admin_secret(admin_page, live_server, settings):
    settings.ADMIN_SECRET = None
    open_api_page(admin_page, live_server)

    assert json.loads(header_editor_text(admin_page)) == {}


def test_running_a_query_shows_the_endpoint_answer(admin_page, live_server, request_log):
    open_api_page(admin_page, live_server)

    sent = run_query(admin_page, "{ __typename }")
    answer = sent.response().json()
    admin_page.wait_for_function(
        "(selector) => document.querySelector(selector).CodeMirror.getValue().includes('__typename')",
        arg=RESULT_PANE,
    )

    assert answer == {"data": {"__typename": "query_root"}}
    assert json.loads(editor_text(admin_page, RESULT_PANE)) == answer
    assert request_log.page_errors == []


def test_top_bar_links_to_the_api_tab(admin_page, live_server):
    admin_page.goto(f"{live_server.url}/")

    admin_page.locator(".topbar nav").get_by_role("link", name="API", exact=True).click()

    admin_page.wait_for_selector(QUERY_EDITOR)
    assert urlsplit(admin_page.url).path == "/console/api"
