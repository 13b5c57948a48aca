from tests.api.conftest import receive_sample

SEED = "c93984788066911ed89ed352d4d9d2084"


def test_it_shows_one_job_with_everything(api):
    receive_sample("seed2-workflow.xml")

    response = api.get(f"/api/jobs/{SEED}/")

    assert response.status_code == 200
    job = response.json()
    assert job["url"] == f"http://testserver/api/jobs/{SEED}/"
    assert {k: job[k] for k in ("job_id", "state", "code", "message", "tag", "sub_tag", "progress", "queue_id")} == {
        "job_id": SEED,
        "state": "Success",
        "code": "Success",
        "message": "",
        "tag": "PicProcess",
        "sub_tag": "",
        "progress": None,
        "queue_id": "p2911917386e148639319e13c285cc774",
    }
    assert job["input"] == {"bucket_id": "test-1234567890", "object": "input/deer.jpg", "region": "ap-chongqing"}
    assert job["workflow"] == {
        "name": "PicProcess_1581665960537",
        "run_id": "ic90edd59f84f11ec9d4f525400a3c59f",
        "workflow_id": "web6ac56c1ef54dbfa44d7f4103203be9",
        "workflow_name": "workflow-test",
    }


def test_times_are_iso_8601_with_an_offset(api):
    receive_sample("seed2-workflow.xml")

    job = api.get(f"/api/jobs/{SEED}/").json()

    # CI sent 2022-07-18T15:16:43+0800; the API answers in the server's time zone (UTC here).
    assert (job["creation_time"], job["start_time"], job["end_time"]) == (
        "2022-07-18T07:16:43Z",
        "2022-07-18T07:16:44Z",
        "2022-07-18T07:16:44Z",
    )


def test_cos_headers_keep_their_order(api):
    receive_sample("seed2-workflow.xml")

    headers = api.get(f"/api/jobs/{SEED}/").json()["cos_headers"]

    assert headers == [
        {"key": "Content-Type", "value": "image/jpeg"},
        {"key": "x-cos-request-id", "value": "NjJiZDYwYTFfNjUzYTYyNjRfZjEwZl8xMmZhYzY5"},
        {"key": "EventName", "value": "cos:ObjectCreated:Put"},
        {"key": "Size", "value": "1024"},
    ]


def test_operation_has_the_template_user_data_output_and_the_whole_original(api):
    receive_sample("seed2-workflow.xml")

    operation = api.get(f"/api/jobs/{SEED}/").json()["operation"]

    assert operation["template_id"] == "t10461fe2bd5a649db9022452ec71e0381"
    assert operation["template_name"] == "test"
    assert operation["user_data"] == "This is my PicProcess job."
    assert operation["output"] == {"bucket": "test-1234567890", "object": "output/out.jpg", "region": "ap-chongqing"}
    assert operation["raw"]["TemplateId"] == "t10461fe2bd5a649db9022452ec71e0381"
    assert operation["raw"]["PicProcessResult"]["ObjectName"] == "output/out.jpg"


def test_the_image_result_has_integers_as_integers(api):
    receive_sample("seed3-workflow.json")

    result = api.get(f"/api/jobs/{SEED}/").json()["pic_process_result"]

    assert result == {
        "object_name": "output/out.jpg",
        "original": {
            "etag": '"d5a491cd3d8d071e3212c3478e8e35a1"',
            "format": "JPEG",
            "width": 500,
            "height": 417,
            "quality": 68,
            "ave": "0xc64847",
            "orientation": 0,
        },
        "processed": {"etag": "", "format": "JPEG", "width": 417, "height": 500, "quality": 68, "size": 24911},
    }


def test_a_job_without_workflow_or_image_result_has_them_null(api):
    delivery = receive_sample("failed-pic.xml")

    job = api.get(f"/api/jobs/{delivery.reported_job_id}/").json()

    assert job["workflow"] is None
    assert job["pic_process_result"] is None
    assert job["state"] == "Failed"
    assert job["input"]["object"] == "上传/照片 2024%.jpg"


def test_an_unknown_job_id_is_404(api):
    response = api.get("/api/jobs/nosuchjob/")

    assert response.status_code == 404
    assert response.json() == {"detail": "No Job matches the given query."}


def test_a_list_row_links_to_the_detail_and_leaves_out_headers_and_operation(api):
    receive_sample("seed2-workflow.xml")

    (row,) = api.get("/api/jobs/").json()["results"]

    assert row["url"] == f"http://testserver/api/jobs/{SEED}/"
    assert "cos_headers" not in row
    assert "operation" not in row
    assert row["workflow"]["run_id"] == "ic90edd59f84f11ec9d4f525400a3c59f"
    assert row["pic_process_result"]["processed"]["size"] == 24911
