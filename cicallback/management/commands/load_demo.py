"""Fill an empty local database with a few hundred demo jobs, so a first look shows a living dashboard.

The jobs are the sample callback bodies with their ids, times, objects and outcomes varied, and they
go through `receive`, the parsing and storing code real callbacks take. Demo JobIds start with
"demo" (CI's start with a letter and hex digits), which is how the dashboard tells them apart.
"""

from __future__ import annotations

import copy
import json
import random
from datetime import datetime, timedelta
from pathlib import Path
from xml.etree.ElementTree import Element, SubElement, tostring

import defusedxml.ElementTree as SafeElementTree
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from cicallback.models import Delivery, Job
from cicallback.parsing import CI_TIMEZONE
from cicallback.receive import Arrival, receive

DEMO_PREFIX = "demo"
SAMPLES = Path(settings.BASE_DIR) / "tests" / "samples"
REGIONS = ["ap-guangzhou", "ap-shanghai", "ap-beijing", "ap-chongqing"]
PHOTO_BUCKETS = ["photos-1250000000", "avatars-1250000000"]
MEDIA_BUCKET = "media-1250000000"
WORKFLOWS = [
    ("w1f0c3a6b8e2d4f5a7b9c1d3e5f7a9b1c", "thumbnails"),
    ("w2a4c6e8f0b2d4f6a8c0e2a4c6e8f0b2d", "avatar-webp"),
    ("w3b5d7f9a1c3e5a7b9d1f3a5c7e9b1d3f", "video-hd"),
]
PIC_FAILURES = [
    ("InvalidParameter", "imageMogr2 rule invalid: thumbnail/abc"),
    ("InvalidParameter", "quality must be between 1 and 100"),
    ("NoSuchKey", "the input object does not exist"),
    ("ImageTooLarge", "image exceeds the 32 MB limit of basic processing"),
]
MEDIA_FAILURES = [
    ("InternalError", "download input failed"),
    ("InvalidInput", "no video stream in the input"),
]
SIZES = [(4032, 3024), (3000, 2000), (1920, 1080), (1080, 1350), (1280, 960), (800, 600)]
NAMES = ["beach", "mountain", "city-night", "portrait", "receipt", "cat", "team-photo", "product-42", "café-menü"]


class Command(BaseCommand):
    help = "Load demo jobs through the receiving code (local use only; refuses with DEBUG off)."

    def add_arguments(self, parser):
        parser.add_argument("--jobs", type=int, default=320, help="how many jobs (default 320)")
        parser.add_argument("--days", type=float, default=7, help="spread them over this many days (default 7)")
        parser.add_argument("--if-empty", action="store_true", help="do nothing when the job table has rows")
        parser.add_argument("--seed", type=int, default=7)
        parser.add_argument("--delete", action="store_true", help="delete the demo jobs and their deliveries instead")

    def handle(self, *args, jobs: int, days: float, if_empty: bool, seed: int, delete: bool, **options):
        if delete:
            self.delete()
            return
        if not settings.DEBUG:
            raise CommandError("load_demo refuses to run with DJANGO_DEBUG off: demo jobs have no place in production.")
        if if_empty and Job.objects.exists():
            return
        rng = random.Random(seed)
        now = timezone.now()
        bodies = Demo(rng, now, days).bodies(jobs)
        for received_at, body in bodies:
            receive(body, Arrival(client_ip="127.0.0.1", content_type=_content_type(body), received_at=received_at))
        self.stdout.write(f"  Loaded {jobs} demo jobs (JobIds start with {DEMO_PREFIX!r}; --delete removes them).")

    def delete(self) -> None:
        with transaction.atomic():
            Delivery.objects.filter(reported_job_id__startswith=DEMO_PREFIX).delete()
            deleted, _ = Job.objects.filter(job_id__startswith=DEMO_PREFIX).delete()
        self.stdout.write(f"  Deleted the demo jobs ({deleted} rows).")


def _content_type(body: bytes) -> str:
    return "application/json" if body.lstrip().startswith(b"{") else "application/xml"


def _ci_time(moment: datetime | None) -> str:
    return moment.astimezone(CI_TIMEZONE).strftime("%Y-%m-%dT%H:%M:%S%z") if moment else "-"


class Demo:
    def __init__(self, rng: random.Random, now: datetime, days: float) -> None:
        self.rng = rng
        self.now = now
        self.days = days
        self.serial = 0

    def job_id(self) -> str:
        self.serial += 1
        return f"{DEMO_PREFIX}{self.rng.getrandbits(96):024x}{self.serial:05d}"

    def moment(self) -> datetime:
        # Busier in the (China) daytime, like real upload traffic.
        while True:
            moment = self.now - timedelta(seconds=self.rng.uniform(0, self.days * 86400))
            hour = moment.astimezone(CI_TIMEZONE).hour
            if self.rng.random() < (0.9 if 8 <= hour <= 22 else 0.3):
                return moment

    def bodies(self, count: int) -> list[tuple[datetime, bytes]]:
        bodies: list[tuple[datetime, bytes]] = []
        while len(bodies) < count:
            roll = self.rng.random()
            if roll < 0.45:
                bodies.append(self.picture())
            elif roll < 0.65:
                bodies.extend(self.workflow_run(count - len(bodies)))
            elif roll < 0.85:
                bodies.append(self.media("Transcode"))
            elif roll < 0.93:
                bodies.append(self.media("Snapshot"))
            else:
                bodies.append(self.media("Animation"))
        bodies.sort(key=lambda pair: pair[0])
        # A few callbacks arrive twice, as CI may send them: the second is kept as a duplicate.
        repeats = [(at + timedelta(seconds=30), body) for at, body in self.rng.sample(bodies, k=len(bodies) // 25)]
        return [pair for pair in bodies + repeats if pair[0] <= self.now]

    def times(self, work: tuple[float, float]) -> tuple[datetime, datetime, datetime]:
        created = self.moment()
        started = created + timedelta(seconds=self.rng.choice([0, 0, 0, 1, 1, 2, 5, 12]))
        ended = started + timedelta(seconds=self.rng.uniform(*work))
        return created, started, ended

    def picture(self, workflow: tuple[str, str, str] | None = None, created=None) -> tuple[datetime, bytes]:
        failure = self.rng.choice(PIC_FAILURES) if self.rng.random() < 0.12 else None
        body = _Xml.load("failed-pic.xml" if failure else "seed2-workflow.xml")
        created_at, started, ended = self.times((0.3, 3))
        if created is not None:
            started, ended = created + (started - created_at), created + (ended - created_at)
            created_at = created
        bucket = self.rng.choice(PHOTO_BUCKETS)
        region = self.rng.choice(REGIONS)
        name = self.rng.choice(NAMES)
        key = f"uploads/{created_at:%Y/%m/%d}/{name}-{self.serial + 1}.jpg"
        width, height = self.rng.choice(SIZES)
        original_size = int(width * height * self.rng.uniform(0.25, 0.6))
        body.common(self.job_id(), "PicProcess", created_at, started, ended, bucket, region, key)
        body.headers([("Content-Type", "image/jpeg"), ("Size", str(original_size))])
        if failure:
            body.fail(*failure)
            if failure[0] != "InvalidParameter":
                body.set("JobsDetail/Operation/PicProcess/ProcessRule", "imageMogr2/thumbnail/1080x/format/webp")
        else:
            self.pic_result(body, key, width, height)
        body.workflow(workflow)
        if workflow is None:
            body.remove("JobsDetail/Workflow")
        return ended + timedelta(seconds=self.rng.uniform(0.05, 2)), body.bytes()

    def pic_result(self, body: _Xml, key: str, width: int, height: int) -> None:
        target = self.rng.choice([(1080, "JPEG"), (800, "WEBP"), (400, "WEBP"), (1600, "AVIF")])
        scale = min(1.0, target[0] / max(width, height))
        out_w, out_h = round(width * scale), round(height * scale)
        quality = self.rng.choice([68, 75, 80, 85, 90])
        output = key.replace("uploads/", "thumbs/").rsplit(".", 1)[0] + "." + target[1].lower()
        result = "JobsDetail/Operation/PicProcessResult"
        body.set("JobsDetail/Operation/Output/Object", output)
        body.set(f"{result}/ObjectName", output)
        body.set(f"{result}/OriginalInfo/Etag", f'"{self.rng.getrandbits(128):032x}"')
        body.set(f"{result}/OriginalInfo/ImageInfo/Width", str(width))
        body.set(f"{result}/OriginalInfo/ImageInfo/Height", str(height))
        body.set(f"{result}/OriginalInfo/ImageInfo/Quality", str(self.rng.choice([85, 90, 95])))
        body.set(f"{result}/OriginalInfo/ImageInfo/Ave", f"0x{self.rng.getrandbits(24):06x}")
        body.set(f"{result}/ProcessResult/Etag", f'"{self.rng.getrandbits(128):032x}"')
        body.set(f"{result}/ProcessResult/Format", target[1])
        body.set(f"{result}/ProcessResult/Width", str(out_w))
        body.set(f"{result}/ProcessResult/Height", str(out_h))
        body.set(f"{result}/ProcessResult/Quality", str(quality))
        body.set(f"{result}/ProcessResult/Size", str(int(out_w * out_h * quality / 100 * 0.18)))

    def workflow_run(self, room: int) -> list[tuple[datetime, bytes]]:
        workflow_id, workflow_name = self.rng.choice(WORKFLOWS[:2])
        run_id = f"i{self.rng.getrandbits(124):031x}"
        created = self.moment()
        nodes = min(room, 2)
        jobs = [self.picture((f"PicProcess_{i}", run_id, workflow_id, workflow_name), created) for i in range(nodes)]
        return jobs

    def media(self, tag: str) -> tuple[datetime, bytes]:
        failure = self.rng.choice(MEDIA_FAILURES) if self.rng.random() < 0.1 else None
        running = not failure and self.rng.random() < 0.03
        created, started, ended = self.times((8, 240) if tag == "Transcode" else (2, 30))
        body = _Xml.load("transcode-workflow.xml")
        key = f"videos/{created:%Y/%m/%d}/{self.rng.choice(NAMES)}-{self.serial + 1}.mp4"
        body.common(self.job_id(), tag, created, started, None if running else ended, MEDIA_BUCKET, "ap-guangzhou", key)
        body.headers([("Content-Type", "video/mp4"), ("Size", str(self.rng.randint(2, 400) * 1_000_000))])
        output = key.replace("videos/", "out/").rsplit(".", 1)[0]
        suffix = {"Transcode": ".mp4", "Snapshot": "-0.jpg", "Animation": ".gif"}[tag]
        body.set("JobsDetail/Operation/Output/Object", output + ".${ext}")  # CI keeps the template's variable
        body.set("JobsDetail/Operation/MediaResult/OutputFile/ObjectName", output + suffix)
        body.set("JobsDetail/Operation/MediaResult/OutputFile/Md5Info/ObjectName", output + suffix)
        body.set(
            "JobsDetail/Operation/TemplateName",
            {"Transcode": "MP4-H264-HD", "Snapshot": "cover-frame"}.get(tag, "gif-5s"),
        )
        height = self.rng.choice([480, 720, 1080])
        body.set("JobsDetail/Operation/MediaInfo/Stream/Video/Width", str(height * 16 // 9))
        body.set("JobsDetail/Operation/MediaInfo/Stream/Video/Height", str(height))
        body.set("JobsDetail/Operation/MediaInfo/Format/Size", str(self.rng.randint(1, 90) * 1_000_000))
        if tag == "Transcode" and self.rng.random() < 0.5:
            workflow_id, workflow_name = WORKFLOWS[2]
            body.workflow(("Transcode_1", f"i{self.rng.getrandbits(124):031x}", workflow_id, workflow_name))
        else:
            body.remove("JobsDetail/Workflow")
        if failure:
            body.fail(*failure)
            body.remove("JobsDetail/Operation/MediaInfo")
            body.remove("JobsDetail/Operation/MediaResult")
            body.remove("JobsDetail/Progress")
        elif running:
            body.set("JobsDetail/State", "Running")
            body.set("JobsDetail/Code", "")
            body.set("JobsDetail/Progress", str(self.rng.randint(10, 90)))
            body.remove("JobsDetail/Operation/MediaResult")
            return started + timedelta(seconds=5), body.bytes()
        if not failure and self.rng.random() < 0.3:
            return ended + timedelta(seconds=1), body.json()
        return ended + timedelta(seconds=1), body.bytes()


class _Xml:
    """A sample body as an element tree, to vary and write out again."""

    def __init__(self, root: Element) -> None:
        self.root = root

    @classmethod
    def load(cls, name: str) -> _Xml:
        return cls(copy.deepcopy(SafeElementTree.parse(SAMPLES / name).getroot()))

    def set(self, path: str, value: str) -> None:
        node = self.root
        for part in path.split("/"):
            child = node.find(part)
            node = child if child is not None else SubElement(node, part)
        node.text = value

    def remove(self, path: str) -> None:
        parent_path, _, name = path.rpartition("/")
        parent = self.root.find(parent_path)
        child = parent.find(name) if parent is not None else None
        if child is not None:
            parent.remove(child)

    def common(self, job_id, tag, created, started, ended, bucket, region, key) -> None:
        self.set("JobsDetail/JobId", job_id)
        self.set("JobsDetail/Tag", tag)
        self.set("JobsDetail/CreationTime", _ci_time(created))
        self.set("JobsDetail/StartTime", _ci_time(started))
        self.set("JobsDetail/EndTime", _ci_time(ended))
        self.set("JobsDetail/Input/BucketId", bucket)
        self.set("JobsDetail/Input/Region", region)
        self.set("JobsDetail/Input/Object", key)
        self.set("JobsDetail/Operation/Output/Bucket", bucket)
        self.set("JobsDetail/Operation/Output/Region", region)

    def headers(self, pairs: list[tuple[str, str]]) -> None:
        source = self.root.find("JobsDetail/Input")
        for old in source.findall("CosHeaders"):
            source.remove(old)
        for key, value in pairs:
            header = SubElement(source, "CosHeaders")
            SubElement(header, "Key").text = key
            SubElement(header, "Value").text = value

    def fail(self, code: str, message: str) -> None:
        self.set("JobsDetail/State", "Failed")
        self.set("JobsDetail/Code", code)
        self.set("JobsDetail/Message", message)
        self.remove("JobsDetail/Operation/PicProcessResult")

    def workflow(self, workflow: tuple[str, str, str, str] | None) -> None:
        if workflow is None:
            return
        for part, value in zip(("Name", "RunId", "WorkflowId", "WorkflowName"), workflow, strict=True):
            self.set(f"JobsDetail/Workflow/{part}", value)

    def bytes(self) -> bytes:
        return tostring(self.root, encoding="utf-8", xml_declaration=False)

    def json(self) -> bytes:
        """The same callback as CallBackFormat=JSON sends it: strings only, lists for repeated nodes."""
        return json.dumps({"EventName": "TaskFinish", "JobsDetail": _as_json(self.root.find("JobsDetail"))}).encode()


def _as_json(element: Element):
    children = list(element)
    if not children:
        return element.text or ""
    tree: dict = {}
    for child in children:
        value = _as_json(child)
        if child.tag == "CosHeaders":
            tree.setdefault("CosHeaders", []).append(value)
        elif value != "":
            tree[child.tag] = value
    return tree
