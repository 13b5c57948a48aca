import csv
import io
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.jobs import store, xml_job

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
BY = "\N{MULTIPLICATION SIGN}"


@pytest.fixture
def jobs():
    now = timezone.now()
    store(xml_job("c93984788066911ed89ed352d4d9d2084", created=now - timedelta(minutes=5)))
    store(xml_job("bad-pic", sample_name="failed-pic.xml", created=now - timedelta(minutes=3)))
    store(xml_job("media", sample_name="transcode-workflow.xml", created=now - timedelta(minutes=1)))


def test_logging_in_leads_back_to_the_page_asked_for(page, user, jobs):
    page.goto("/?state=Failed")
    expect(page).to_have_url("/accounts/login/?next=/%3Fstate%3DFailed")
    page.get_by_label("Username").fill("alice")
    page.get_by_label("Password").fill("wrong")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("alert")).to_contain_text("do not match")
    page.get_by_label("Password").fill("a-browser-test-password")
    page.get_by_role("button", name="Log in").click()
    expect(page.locator("#job-rows tr")).to_have_count(1)


def test_filtering_to_failed_jobs_and_opening_one(jobs, logged_in):
    page = logged_in
    expect(page.locator("#job-rows tr")).to_have_count(3)
    page.get_by_label("Failed").check()
    page.get_by_role("button", name="Apply filters").click()
    expect(page).to_have_url("/?state=Failed")
    expect(page.locator("#job-rows tr")).to_have_count(1)
    page.get_by_role("link", name="bad-pic").click()
    expect(page.get_by_role("heading", name="Failed: InvalidParameter")).to_be_visible()
    expect(page.get_by_text("imageMogr2 rule invalid: thumbnail/abc").first).to_be_visible()


def test_following_an_error_code_from_the_failed_jobs_page(jobs, logged_in):
    page = logged_in
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Failed").click()
    page.get_by_role("link", name="InvalidParameter").click()
    expect(page.locator("#job-rows tr")).to_have_count(1)
    expect(page.locator("#job-rows")).to_contain_text("bad-pic")


def test_an_image_job_shows_original_and_processed_side_by_side(jobs, logged_in):
    page = logged_in
    page.get_by_role("link", name="c93984788066911ed89ed352d4d9d2084").click()
    panel = page.locator("#image-result")
    expect(panel.get_by_role("table", name="Original")).to_contain_text(f"500 {BY} 417")
    expect(panel.get_by_role("table", name="Processed")).to_contain_text(f"417 {BY} 500")
    original = panel.get_by_role("table", name="Original").bounding_box()
    processed = panel.get_by_role("table", name="Processed").bounding_box()
    assert original["x"] < processed["x"]
    assert abs(original["y"] - processed["y"]) < 5


def test_exporting_the_filtered_list_as_csv(jobs, logged_in):
    page = logged_in
    page.goto("/?state=Success")
    with page.expect_download() as download:
        page.get_by_role("link", name="Export CSV").click()
    text = Path(download.value.path()).read_text(encoding="utf-8")
    job_ids = [row["job_id"] for row in csv.DictReader(io.StringIO(text))]
    assert job_ids == ["media", "c93984788066911ed89ed352d4d9d2084"]


def test_a_new_job_appears_without_a_reload(fast_refresh, jobs, logged_in):
    page = logged_in
    page.goto("/")
    expect(page.locator("#job-rows tr")).to_have_count(3)
    page.evaluate("window.loadedOnce = true")
    store(xml_job("fresh-job", created=timezone.now()))
    expect(page.locator("#job-rows tr").first).to_contain_text("fresh-job")
    assert page.evaluate("window.loadedOnce") is True  # the same page, not a reload


# The page says it is hidden or visible as the test sets it. Each check of it is counted: the
# hidden page's poll checks once a tick before it decides not to ask. Refreshes are counted too.
SET_VISIBILITY = """(state) => {
  if (!("visibility" in window)) {
    window.refreshes = 0;
    window.visibilityChecks = 0;
    document.addEventListener("htmx:beforeRequest", () => { window.refreshes += 1; });
    Object.defineProperty(document, "visibilityState", {
      configurable: true,
      get() { window.visibilityChecks += 1; return window.visibility; },
    });
  }
  window.visibility = state;
  document.dispatchEvent(new Event("visibilitychange"));
  window.visibilityChecks = 0;
}"""
# Resolves once no refresh is under way.
REFRESH_DONE = """() => new Promise((resolve) => {
  const rows = document.getElementById("job-rows");
  if (!rows.classList.contains("htmx-request")) return resolve();
  document.addEventListener("htmx:afterRequest", () => resolve(), { once: true });
})"""


def test_a_hidden_page_does_not_refresh_until_it_is_shown_again(fast_refresh, jobs, logged_in):
    page = logged_in
    page.goto("/")
    expect(page.locator("#job-rows tr")).to_have_count(3)
    page.evaluate(SET_VISIBILITY, "hidden")
    page.evaluate(REFRESH_DONE)
    page.evaluate("window.refreshes = 0")
    store(xml_job("fresh-job", created=timezone.now()))
    # Two ticks of the one-second poll go by with the page hidden, unless one of them refreshes.
    page.wait_for_function("window.visibilityChecks >= 2 || window.refreshes > 0")
    assert page.evaluate("window.refreshes") == 0
    expect(page.locator("#job-rows")).not_to_contain_text("fresh-job")
    with page.expect_request(lambda request: request.headers.get("hx-request") == "true"):
        page.evaluate(SET_VISIBILITY, "visible")
    expect(page.locator("#job-rows tr").first).to_contain_text("fresh-job")


def test_the_list_fits_a_phone(jobs, logged_in):
    page = logged_in
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto("/")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    expect(page.get_by_role("link", name="Stats")).to_be_visible()


def test_the_first_job_replaces_the_empty_state_without_a_reload(fast_refresh, logged_in):
    page = logged_in
    expect(page.get_by_role("heading", name="No jobs yet")).to_be_visible()
    expect(page.get_by_label("Callback URL")).to_have_value(f"{page.url}callback/test-token-one/")
    store(xml_job("first-job"))
    expect(page.get_by_role("link", name="first-job")).to_be_visible()
    expect(page.get_by_role("heading", name="No jobs yet")).to_be_hidden()
