import re
from datetime import timedelta

import pytest
from django.utils import timezone

from dashboard import views
from tests.conftest import TOKEN
from tests.jobs import store, xml_job

pytestmark = pytest.mark.django_db
BY = "\N{MULTIPLICATION SIGN}"


@pytest.fixture
def some_jobs():
    now = timezone.now()
    for i in range(12):
        store(xml_job(f"ok{i:02d}", created=now - timedelta(minutes=i), took=i))
    store(xml_job("bad01", sample_name="failed-pic.xml", created=now - timedelta(minutes=30)))
    store(xml_job("media01", sample_name="transcode-workflow.xml", created=now - timedelta(minutes=40)))


def test_it_asks_for_a_login(client):
    response = client.get("/?state=Failed")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/%3Fstate%3DFailed"


def test_the_login_page_has_labelled_fields(client):
    html = client.get("/accounts/login/").content.decode()
    assert '<label for="id_username">Username</label>' in html
    assert '<label for="id_password">Password</label>' in html


def test_it_lists_one_row_per_job_with_its_columns(admin_client, some_jobs):
    html = admin_client.get("/").content.decode()
    assert html.count('<tr class="row-failed">') == 1
    assert 'href="/jobs/ok00/"' in html
    assert "input/deer.jpg" in html
    # An image job shows its dimensions before and after, the input's size from its COS headers.
    assert f'500{BY}417</span> <span aria-label="to">→</span> <span>417{BY}500' in html
    assert "1.0 KiB → 24.3 KiB" in html
    assert f"1280{BY}720" in html  # a media job's video
    assert "InvalidParameter" in html
    assert "14 jobs" in html


def test_a_shared_link_to_failed_jobs_lists_only_them(admin_client, some_jobs):
    html = admin_client.get("/?state=Failed").content.decode()
    assert 'href="/jobs/bad01/"' in html
    assert 'href="/jobs/ok00/"' not in html
    assert "1 job match these filters" in html
    assert re.search(r'value="Failed"[^>]*checked', html)


def test_its_query_count_does_not_grow_with_the_rows(admin_client, some_jobs, django_assert_num_queries):
    # session, user, the capped count, the page, the input sizes of the page's jobs
    with django_assert_num_queries(5):
        admin_client.get("/")


def test_the_live_refresh_counts_nothing_and_does_not_grow_with_the_rows(
    admin_client, some_jobs, django_assert_num_queries
):
    # session, user, the page, the input sizes of the page's jobs: every few seconds, so no count
    with django_assert_num_queries(4):
        admin_client.get("/", headers={"HX-Request": "true"})


def test_it_counts_no_further_than_the_cap(admin_client, some_jobs, monkeypatch):
    monkeypatch.setattr(views, "COUNT_CAP", 10)
    html = admin_client.get("/").content.decode()
    assert "10+ jobs" in html


def test_sorting_by_a_column_and_reversing_it(admin_client, some_jobs):
    html = admin_client.get("/?sort=-duration").content.decode()
    assert html.index("/jobs/ok11/") < html.index("/jobs/ok10/") < html.index("/jobs/ok00/")
    assert 'aria-sort="descending"' in html
    assert '?sort=duration"' in html  # the header's link now sorts the other way
    html = admin_client.get("/?sort=duration").content.decode()
    assert html.index("/jobs/ok00/") < html.index("/jobs/ok11/")


def test_an_unknown_sort_falls_back_to_the_newest_first(admin_client, some_jobs):
    html = admin_client.get("/?sort=password").content.decode()
    assert html.index("/jobs/media01/") < html.index("/jobs/ok00/")


def test_the_next_page_keeps_the_filters(admin_client, some_jobs, monkeypatch):
    monkeypatch.setattr(views, "PAGE_SIZE", 5)
    response = admin_client.get("/?state=Success&sort=tag")
    next_link = response.context["page"].next_cursor
    html = response.content.decode()
    assert f"?state=Success&amp;sort=tag&amp;cursor={next_link}" in html


def test_the_live_refresh_gets_only_the_rows(admin_client, some_jobs):
    response = admin_client.get("/?state=Failed", headers={"HX-Request": "true"})
    html = response.content.decode()
    assert html.lstrip().startswith("<tr")
    assert "<form" not in html
    assert 'href="/jobs/bad01/"' in html
    assert "HX-Request" in response["Vary"]


def test_the_first_page_polls_for_new_jobs_and_later_pages_do_not(admin_client, some_jobs, monkeypatch):
    monkeypatch.setattr(views, "PAGE_SIZE", 5)
    first = admin_client.get("/?state=Success")
    assert 'hx-get="/?state=Success"' in first.content.decode()
    assert "document.visibilityState === 'visible'" in first.content.decode()
    later = admin_client.get(f"/?state=Success&cursor={first.context['page'].next_cursor}")
    assert "hx-get" not in later.content.decode()


def test_an_empty_list_shows_staff_the_callback_url_and_a_curl_command(admin_client):
    html = admin_client.get("/").content.decode()
    assert "No jobs yet" in html
    assert f"http://testserver/callback/{TOKEN}/" in html
    assert "curl -i -H &#x27;Content-Type: application/xml&#x27; --data-binary @tests/samples/" in html
    assert 'hx-get="/?"' in html  # it waits for the first job


def test_an_empty_list_hides_the_callback_url_from_other_users(client, django_user_model):
    client.force_login(django_user_model.objects.create_user("viewer", password="x"))
    html = client.get("/").content.decode()
    assert "No jobs yet" in html
    assert TOKEN not in html


def test_no_match_says_so_and_offers_to_clear_the_filters(admin_client, some_jobs):
    html = admin_client.get("/?tag=Nothing").content.decode()
    assert "No jobs match these filters" in html
    assert TOKEN not in html


def test_more_filters_stay_folded_while_none_of_them_is_set(admin_client, some_jobs):
    html = admin_client.get("/?state=Failed&q=bad").content.decode()
    assert '<details class="more">' in html


def test_more_filters_are_open_when_one_of_them_is_set(admin_client, some_jobs):
    html = admin_client.get("/?tag=PicProcess").content.decode()
    assert '<details class="more" open>' in html
    assert 'name="tag" value="PicProcess"' in html


def test_more_filters_are_open_when_one_of_them_needs_correcting(admin_client, some_jobs):
    html = admin_client.get("/?created_after=yesterday").content.decode()
    assert '<details class="more" open>' in html


def test_object_keys_may_break_after_a_slash_and_stay_escaped():
    from dashboard.rows import breakable

    assert breakable("in/<b>/a&b.jpg") == "in/<wbr>&lt;b&gt;/<wbr>a&amp;b.jpg"
