"""Headless Chromium (Debian's package) against a live server.

In CI (CI=true) these tests must run: a missing browser fails them instead of skipping them.
"""

import os
import shutil

import pytest

# Playwright's sync API runs an event loop in this thread; Django would refuse database calls from it.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
PASSWORD = "a-browser-test-password"
# Polling ends when its element leaves the page; a request under way is waited for first.
STOP_POLLING = """() => new Promise((resolve) => {
  const rows = document.getElementById("job-rows");
  if (!rows || !rows.classList.contains("htmx-request")) { if (rows) rows.remove(); return resolve(); }
  document.addEventListener("htmx:afterRequest", () => { rows.remove(); resolve(); }, { once: true });
})"""


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser():
    if not (os.path.exists(CHROMIUM) or shutil.which(CHROMIUM)):
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"Chromium is not at {CHROMIUM}; CI must run the browser tests (scripts/system-packages).")
        pytest.skip(f"Chromium is not at {CHROMIUM}")
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=10_000)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    # The database is emptied next: a poll still running on the server would hold a lock on it.
    page.evaluate(STOP_POLLING)
    context.close()


@pytest.fixture
def user(django_user_model):
    return django_user_model.objects.create_user("alice", password=PASSWORD, is_staff=True)


@pytest.fixture
def logged_in(page, user):
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/")
    return page


@pytest.fixture
def fast_refresh(settings):
    """The live refresh polls every second, so a test sees a new job soon after storing it."""
    settings.DASHBOARD_REFRESH_SECONDS = 1
