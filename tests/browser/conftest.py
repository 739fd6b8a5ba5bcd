"""Browser-test fixtures: Debian's Chromium through Playwright, a live server, and an offline guard.

One browser is launched per session (pytest-playwright's `browser`); each test gets a fresh context.
`page` is wrapped so that every request is routed: requests to this machine go through, any other
host is aborted, recorded, and fails the test.
"""

import os
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import pytest

# Playwright's sync API keeps an event loop on the main thread; without this every ORM call from a
# test that drives a page raises SynchronousOnlyOperation.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost"})
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ADMIN_USERNAME = "admin"
ADMIN_PASSWORD = "browser-test-password"  # noqa: S105


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    """Launch Debian's Chromium headless; `launch` gives every browser a fresh temporary profile."""
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "headless": browser_type_launch_args.get("headless", True),
        "args": CHROMIUM_FLAGS,
    }


@dataclass
class RequestLog:
    """Every URL the page asked for, and the ones that tried to leave this machine."""

    requests: list[str] = field(default_factory=list)
    off_host: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)

    def route(self, route) -> None:
        """Let local requests through; abort and remember any other."""
        url = route.request.url
        self.requests.append(url)
        if urlsplit(url).hostname in LOCAL_HOSTS:
            route.continue_()
        else:
            self.off_host.append(url)
            route.abort()

    def watch(self, page) -> None:
        """Collect a new page's uncaught errors and its websockets, which bypass routing."""
        page.on("pageerror", lambda error: self.page_errors.append(str(error)))
        page.on("websocket", lambda websocket: self.route_websocket(websocket.url))

    def route_websocket(self, url: str) -> None:
        """Remember a websocket that was opened to another host."""
        if urlsplit(url).hostname not in LOCAL_HOSTS:
            self.off_host.append(url)


@pytest.fixture
def request_log(context):
    """Route every request of the test's browser context; fail the test if one left this machine."""
    log = RequestLog()
    context.route("**/*", log.route)
    context.on("page", log.watch)
    yield log
    if log.off_host:
        pytest.fail(f"requests left 127.0.0.1/localhost: {log.off_host}")


@pytest.fixture
def page(context, request_log):
    """pytest-playwright's page, opened only once `request_log` guards the context."""
    return context.new_page()


@pytest.fixture
def browser_admin(django_user_model):
    """A superuser with a known password."""
    return django_user_model.objects.create_superuser(
        username=ADMIN_USERNAME, email="admin@example.com", password=ADMIN_PASSWORD
    )


@pytest.fixture
def admin_page(page, live_server, browser_admin):
    """A page signed in as the superuser, through the admin login form."""
    page.goto(f"{live_server.url}/admin/login/?next=/admin/")
    page.fill("#id_username", ADMIN_USERNAME)
    page.fill("#id_password", ADMIN_PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url(f"{live_server.url}/admin/")
    return page
