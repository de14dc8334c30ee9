"""Media in object storage (MEDIA_STORAGE=s3): rendered PDFs and toolkit files in a bucket, not on one disk.

The bucket is real: moto's S3 server, started on a free local port by the `s3_server` fixture, spoken to
over HTTP by django-storages (boto3) in the web app, in a worker process, and by the tests' own boto3 client
that looks into the bucket. Each test gets a fresh bucket and points STORAGES at it through the same
`media_storage()` the settings use, with the values of the environment a worker process gets. Downloads
are streamed by the app after its membership check; nothing hands out a link to the bucket.
"""

import hashlib
import io
import uuid
from pathlib import Path

import boto3
import pytest
from django.conf import settings as django_settings
from django.urls import reverse
from pypdf import PdfReader

from affiliates.models import Asset
from partnerhub.models import Document, DocumentStatus
from partnerhub.settings import media_storage
from tests.affiliates import factories_ledger
from tests.affiliates.people.test_toolkit import PDF, png, upload
from tests.affiliates.people.test_toolkit import url as toolkit_url
from tests.conftest import login
from tests.factories import PartnerFactory, document_retried_while_rendering
from tests.faults import free_port
from tests.partnerhub.test_settings import run_settings
from tests.partnerhub.test_worker_faults import files_under, wait_for, worker_processes  # noqa: F401

REGION = "eu-central-1"
PUBLIC_GROUPS = (
    "http://acs.amazonaws.com/groups/global/AllUsers",
    "http://acs.amazonaws.com/groups/global/AuthenticatedUsers",
)


@pytest.fixture(scope="module")
def s3_server():
    """moto's S3 API on a free local port, for this module's tests."""
    from moto.server import ThreadedMotoServer

    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    yield f"http://127.0.0.1:{port}"
    server.stop()


class Bucket:
    def __init__(self, endpoint):
        self.name = f"partnerhub-media-{uuid.uuid4().hex[:12]}"
        # What a web or worker process of a deployment with object storage has in its environment.
        self.env = {
            "MEDIA_STORAGE": "s3",
            "AWS_STORAGE_BUCKET_NAME": self.name,
            "AWS_S3_ENDPOINT_URL": endpoint,
            "AWS_S3_REGION_NAME": REGION,
            "AWS_ACCESS_KEY_ID": "partnerhub-test",
            "AWS_SECRET_ACCESS_KEY": "partnerhub-test-secret",
        }
        self.client = boto3.client(
            "s3",
            endpoint_url=endpoint,
            region_name=REGION,
            aws_access_key_id=self.env["AWS_ACCESS_KEY_ID"],
            aws_secret_access_key=self.env["AWS_SECRET_ACCESS_KEY"],
        )
        self.client.create_bucket(Bucket=self.name, CreateBucketConfiguration={"LocationConstraint": REGION})

    def storage(self):
        """STORAGES["default"] as the settings make it from `env`."""
        return media_storage(
            kind=self.env["MEDIA_STORAGE"],
            bucket=self.env["AWS_STORAGE_BUCKET_NAME"],
            endpoint_url=self.env["AWS_S3_ENDPOINT_URL"],
            region_name=self.env["AWS_S3_REGION_NAME"],
            access_key=self.env["AWS_ACCESS_KEY_ID"],
            secret_key=self.env["AWS_SECRET_ACCESS_KEY"],
        )

    def keys(self):
        listing = self.client.list_objects_v2(Bucket=self.name)
        return sorted(item["Key"] for item in listing.get("Contents", []))

    def read(self, key):
        return self.client.get_object(Bucket=self.name, Key=key)["Body"].read()

    def public_grants(self, key):
        grants = self.client.get_object_acl(Bucket=self.name, Key=key)["Grants"]
        return [grant for grant in grants if grant["Grantee"].get("URI") in PUBLIC_GROUPS]


@pytest.fixture
def s3(s3_server, settings):
    """A fresh bucket, and this process's media storage pointed at it (as MEDIA_STORAGE=s3 would)."""
    bucket = Bucket(s3_server)
    settings.STORAGES = {**settings.STORAGES, "default": bucket.storage()}
    return bucket


def download_url(document):
    return reverse("document_download", args=[document.organisation.slug, document.pk])


def pdf_text(data):
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def assert_nothing_on_disk():
    assert files_under(django_settings.MEDIA_ROOT) == []


# --- the settings -------------------------------------------------------------------------------------


def test_the_local_disk_is_the_default():
    result = run_settings({}, "print(settings.STORAGES['default']['BACKEND'])")
    assert result.stdout.split() == ["django.core.files.storage.FileSystemStorage"], result.stderr


def test_s3_is_chosen_by_the_environment_with_private_files(s3_server):
    env = Bucket(s3_server).env
    result = run_settings(
        env,
        "from django.core.files.storage import storages; s = storages['default']; "
        "print(type(s).__name__, s.bucket_name, s.endpoint_url, s.region_name, s.default_acl, "
        "s.querystring_auth, s.querystring_expire, s.custom_domain, s.file_overwrite)",
    )
    assert result.stdout.split() == [
        "S3Storage",
        env["AWS_STORAGE_BUCKET_NAME"],
        s3_server,
        REGION,
        "None",
        "True",
        "60",
        "None",
        "False",
    ], result.stderr


def test_s3_without_a_bucket_refuses_to_start():
    result = run_settings({"MEDIA_STORAGE": "s3"}, "print(settings.STORAGES)")
    assert result.returncode != 0 and "AWS_STORAGE_BUCKET_NAME" in result.stderr


def test_an_unknown_media_storage_refuses_to_start():
    result = run_settings({"MEDIA_STORAGE": "ftp"}, "print(settings.STORAGES)")
    assert result.returncode != 0 and "MEDIA_STORAGE must be local or s3" in result.stderr


# --- rendered documents -------------------------------------------------------------------------------


def test_a_rendered_pdf_is_kept_in_the_bucket_and_streamed_to_members_only(
    s3, client, org, manager, stranger, eager_celery, django_capture_on_commit_callbacks
):
    PartnerFactory(organisation=org, name="Delta Bouw")
    login(client, manager)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("partner_list_pdf", args=[org.slug]))

    document = Document.objects.get()
    assert document.status == DocumentStatus.READY, document.error
    assert s3.keys() == [document.file.name]
    stored = s3.read(document.file.name)
    assert stored.startswith(b"%PDF-")
    assert hashlib.sha256(stored).hexdigest() == document.sha256
    assert s3.public_grants(document.file.name) == []
    assert_nothing_on_disk()

    status = client.get(reverse("document_status", args=[org.slug, document.pk]))
    assert status.context["file_size"] == len(stored)
    response = client.get(download_url(document))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert int(response["Content-Length"]) == len(stored)
    assert b"".join(response.streaming_content) == stored
    assert "Delta Bouw" in pdf_text(stored)

    login(client, stranger)
    assert client.get(download_url(document)).status_code == 404


def test_a_pdf_gone_from_the_bucket_is_a_404_not_an_error(
    s3, manager_client, org, eager_celery, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        manager_client.post(reverse("partner_list_pdf", args=[org.slug]))
    document = Document.objects.get(status=DocumentStatus.READY)
    s3.client.delete_object(Bucket=s3.name, Key=document.file.name)

    assert manager_client.get(download_url(document)).status_code == 404
    status = manager_client.get(reverse("document_status", args=[org.slug, document.pk]))
    assert status.status_code == 200 and status.context["file_size"] is None


def test_object_storage_that_does_not_answer_gives_the_503_page_not_an_error(
    s3, manager_client, org, settings, eager_celery, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        manager_client.post(reverse("partner_list_pdf", args=[org.slug]))
    document = Document.objects.get(status=DocumentStatus.READY)
    # The same bucket, now behind a port where nothing listens (the storage service is away).
    gone = {
        **s3.storage(),
        "OPTIONS": {**s3.storage()["OPTIONS"], "endpoint_url": f"http://127.0.0.1:{free_port()}"},
    }
    settings.STORAGES = {**settings.STORAGES, "default": gone}

    response = manager_client.get(download_url(document))
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    status = manager_client.get(reverse("document_status", args=[org.slug, document.pk]))
    assert status.status_code == 200 and status.context["file_size"] is None


def test_two_pdfs_of_one_day_keep_a_file_each(
    s3, manager_client, org, eager_celery, django_capture_on_commit_callbacks
):
    """Both are called partners-tinnitracks-<today>.pdf: the second must not replace the first's object."""
    PartnerFactory(organisation=org, name="Delta Bouw")
    PartnerFactory(organisation=org, name="Atelier Noord", category="architect")
    for category in ("", "architect"):
        with django_capture_on_commit_callbacks(execute=True):
            manager_client.post(reverse("partner_list_pdf", args=[org.slug]), {"category": category})

    everyone, architects = Document.objects.order_by("pk")
    assert everyone.filename == architects.filename
    assert everyone.file.name != architects.file.name
    assert s3.keys() == sorted([everyone.file.name, architects.file.name])
    first = b"".join(manager_client.get(download_url(everyone)).streaming_content)
    assert hashlib.sha256(first).hexdigest() == everyone.sha256
    assert "Delta Bouw" in pdf_text(first)


@pytest.mark.django_db(transaction=True)
def test_a_render_that_lost_its_claim_leaves_the_winners_object(s3, org, manager, settings, eager_celery):
    """The late render saves under the same filename and then deletes what it saved: with names that
    overwrite it would delete the object of the READY document."""
    settings.BACKGROUND_JOB_STALLED_AFTER = 0  # every render in progress counts as stalled at once
    document, seen = document_retried_while_rendering(org, manager)
    assert seen == [1, 2]
    assert (document.status, document.attempts) == (DocumentStatus.READY, 2)
    assert s3.keys() == [document.file.name]
    assert hashlib.sha256(s3.read(document.file.name)).hexdigest() == document.sha256


@pytest.mark.redis
def test_a_worker_process_renders_into_the_bucket_and_the_web_app_streams_it(
    s3,
    worker_processes,  # noqa: F811 (the fixture imported above)
    settings,
    client,
    org,
    manager,
    stranger,  # noqa: F811
):
    """Web and worker share no disk: the worker process gets MEDIA_STORAGE=s3 from its environment only."""
    PartnerFactory(organisation=org, name="Delta Bouw")
    PartnerFactory(organisation=org, name="Atelier Noord", category="architect")
    workers = worker_processes(
        CELERY_TASK_SOFT_TIME_LIMIT=settings.CELERY_TASK_SOFT_TIME_LIMIT,
        CELERY_TASK_TIME_LIMIT=settings.CELERY_TASK_TIME_LIMIT,
    )
    workers.env.update(s3.env)
    # Its own folder, which must stay empty: a worker that wrote to a local disk is caught.
    workers.env["MEDIA_ROOT"] = str(Path(settings.MEDIA_ROOT) / "worker")
    workers.start()
    login(client, manager)

    client.post(reverse("partner_list_pdf", args=[org.slug]))

    document = wait_for(
        Document.objects.get(),
        lambda d: d.is_finished,
        seconds=60,
        what=f"the worker's render\n{workers.logs()}",
    )
    assert document.status == DocumentStatus.READY, document.error
    assert s3.keys() == [document.file.name]
    stored = s3.read(document.file.name)
    assert stored.startswith(b"%PDF-")
    assert hashlib.sha256(stored).hexdigest() == document.sha256
    assert s3.public_grants(document.file.name) == []
    assert_nothing_on_disk()

    response = client.get(download_url(document))
    assert response.status_code == 200
    data = b"".join(response.streaming_content)
    assert data.startswith(b"%PDF-") and data == stored
    text = pdf_text(data)
    assert "Delta Bouw" in text and "Atelier Noord" in text

    login(client, stranger)
    assert client.get(download_url(document)).status_code == 404


# --- the partner toolkit ------------------------------------------------------------------------------


def test_a_toolkit_file_goes_up_to_the_bucket_and_comes_back_to_members_only(
    s3, client, org, manager, stranger, django_capture_on_commit_callbacks
):
    login(client, manager)
    response = upload(client, org, kind="brochure", name="Brochure 2026.pdf", content=PDF, title="Brochure")
    assert response.status_code == 302
    asset = Asset.objects.get()
    assert s3.keys() == [asset.file.name]
    assert s3.read(asset.file.name) == PDF
    assert s3.public_grants(asset.file.name) == []
    assert_nothing_on_disk()

    download = client.get(toolkit_url("asset_download", org, asset.pk))
    assert download.status_code == 200
    assert download["Content-Type"] == "application/pdf"
    assert b"".join(download.streaming_content) == PDF

    login(client, stranger)
    assert client.get(toolkit_url("asset_download", org, asset.pk)).status_code == 404

    login(client, manager)
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(toolkit_url("asset_delete", org, asset.pk)).status_code == 302
    assert s3.keys() == []


def test_an_affiliate_downloads_a_banner_from_the_bucket_through_the_portal(s3, client, org, manager):
    login(client, manager)
    banner = png(728, 90)
    upload(client, org, kind="banner", name="leaderboard.png", content=banner, audience="affiliates")
    asset = Asset.objects.get()
    assert s3.read(asset.file.name) == banner
    client.logout()
    _link, token = factories_ledger.portal_link(factories_ledger.affiliate(org, name="Bouwblog"))

    response = client.get(reverse("portal_asset", args=[token, asset.pk]))

    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert b"".join(response.streaming_content) == banner
