"""The toolkit's asset library: uploads checked for type (by their bytes) and size, banners measured, files
stored under MEDIA_ROOT and only downloaded by members, deleted with their item."""

import io
import zipfile
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation
from PIL import Image

from affiliates.models import Asset
from affiliates.people import toolkit
from tests.conftest import login

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def png(width=728, height=90):
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), "orange").save(buffer, "PNG")
    return buffer.getvalue()


def jpeg(width=300, height=250):
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), "blue").save(buffer, "JPEG")
    return buffer.getvalue()


def zip_bytes():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("logo.png", png(64, 64))
    return buffer.getvalue()


def url(name, org, *args):
    return reverse(f"affiliates:{name}", args=[org.slug, *args])


def upload(client, org, *, kind, name, content, title="Item", audience="both", text=""):
    data = {"kind": kind, "audience": audience, "title": title, "text": text}
    if content is not None:
        data["file"] = SimpleUploadedFile(name, content)
    return client.post(url("asset_create", org), data)


def stored_files(settings):
    root = Path(settings.MEDIA_ROOT)
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def test_a_brochure_pdf_is_stored_and_downloaded_as_attachment(manager_client, org, settings):
    response = upload(
        manager_client, org, kind="brochure", name="Brochure 2026.pdf", content=PDF, title="Brochure"
    )
    assert response.status_code == 302
    asset = Asset.objects.get()
    assert (asset.content_type, asset.size, asset.organisation) == ("application/pdf", len(PDF), org)
    assert Path(asset.file.path).is_relative_to(Path(settings.MEDIA_ROOT))
    download = manager_client.get(url("asset_download", org, asset.pk))
    assert download.status_code == 200
    assert download["Content-Type"] == "application/pdf"
    assert download["Content-Disposition"].startswith("attachment;")
    assert b"".join(download.streaming_content) == PDF


def test_a_banner_gets_its_size_in_pixels(manager_client, org):
    upload(
        manager_client, org, kind="banner", name="leaderboard.png", content=png(728, 90), title="Leaderboard"
    )
    upload(
        manager_client, org, kind="banner", name="rectangle.jpg", content=jpeg(300, 250), title="Rectangle"
    )
    sizes = dict(Asset.objects.values_list("title", "width"))
    assert sizes == {"Leaderboard": 728, "Rectangle": 300}
    assert Asset.objects.get(title="Rectangle").height == 250
    page = manager_client.get(url("asset_list", org)).content.decode()
    assert "728×90 px" in page and "300×250 px" in page


def test_a_logo_pack_zip_is_accepted(manager_client, org):
    response = upload(manager_client, org, kind="logo_pack", name="logos.zip", content=zip_bytes())
    assert response.status_code == 302
    assert Asset.objects.get().content_type == "application/zip"


@pytest.mark.parametrize(
    ("kind", "name", "content"),
    [
        ("brochure", "brochure.pdf", png()),  # a PNG renamed to .pdf
        ("brochure", "brochure.png", png()),  # an image where a brochure must be a PDF
        ("banner", "banner.png", PDF),  # a PDF named .png
        ("banner", "banner.pdf", PDF),  # a banner must be an image
        ("banner", "banner.jpg", png()),  # a PNG named .jpg
        ("banner", "banner.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 100),  # PNG magic, no image
        ("logo_pack", "logo.svg", b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'),
        ("logo_pack", "logos.zip", b"PK\x03\x04" + b"\x00" * 50),  # broken ZIP
        ("price_list", "prijzen.pdf", b"%PDF-1.4\n" + b"x" * 50),  # incomplete PDF
        ("price_list", "prijzen.pdf", b"MZ\x90\x00" + b"\x00" * 60),  # an executable
        ("case_study", "case.html", b"<html><script>alert(1)</script></html>"),
    ],
)
def test_wrong_types_are_refused_and_nothing_is_stored(manager_client, org, settings, kind, name, content):
    response = upload(manager_client, org, kind=kind, name=name, content=content)
    assert response.status_code == 422
    assert response.context["form"].errors["file"]
    assert not Asset.objects.exists()
    assert stored_files(settings) == []


def test_too_large_is_refused(manager_client, org, settings):
    settings.AFFILIATES_ASSET_MAX_BYTES = 1024
    content = PDF + b"%" * 2000 + b"\n%%EOF\n"
    response = upload(manager_client, org, kind="brochure", name="groot.pdf", content=content)
    assert response.status_code == 422
    assert "MB" in " ".join(response.context["form"].errors["file"])
    assert not Asset.objects.exists()
    assert stored_files(settings) == []


def test_an_empty_file_is_refused(manager_client, org):
    response = upload(manager_client, org, kind="brochure", name="leeg.pdf", content=b"")
    assert response.status_code == 422
    assert not Asset.objects.exists()


def test_a_file_kind_needs_a_file(manager_client, org):
    response = upload(manager_client, org, kind="brochure", name="", content=None)
    assert response.status_code == 422
    assert not Asset.objects.exists()


def test_a_text_link_is_text(manager_client, org):
    response = upload(
        manager_client, org, kind="text_link", name="", content=None, text="Beste constructiebureau van NL"
    )
    assert response.status_code == 302
    asset = Asset.objects.get()
    assert (asset.text, bool(asset.file)) == ("Beste constructiebureau van NL", False)
    assert manager_client.get(url("asset_download", org, asset.pk)).status_code == 404
    empty = upload(manager_client, org, kind="email_template", name="", content=None, text="  ")
    assert empty.status_code == 422
    assert Asset.objects.count() == 1


def test_list_groups_by_kind_and_filters_by_audience(manager_client, org, django_assert_max_num_queries):
    for n in range(4):
        toolkit.asset_create(
            organisation=org, actor=None, kind="text_link", audience="affiliates", title=f"Link {n}", text="x"
        )
    toolkit.asset_create(
        organisation=org,
        actor=None,
        kind="email_template",
        audience="partners",
        title="Welkomstmail",
        text="y",
    )
    toolkit.asset_create(
        organisation=org, actor=None, kind="email_template", audience="both", title="Nieuwsbrief", text="z"
    )
    with django_assert_max_num_queries(8):
        response = manager_client.get(url("asset_list", org))
    page = response.content.decode()
    assert 'id="kind-text_link"' in page and 'id="kind-email_template"' in page
    partners = manager_client.get(url("asset_list", org), {"audience": "partners"}).content.decode()
    assert "Welkomstmail" in partners and "Nieuwsbrief" in partners and "Link 1" not in partners
    affiliates = manager_client.get(url("asset_list", org), {"audience": "affiliates"}).content.decode()
    assert "Link 1" in affiliates and "Welkomstmail" not in affiliates


def test_delete_asks_first_and_removes_the_file(
    manager_client, org, settings, django_capture_on_commit_callbacks
):
    upload(manager_client, org, kind="brochure", name="b.pdf", content=PDF)
    asset = Asset.objects.get()
    path = Path(asset.file.path)
    assert manager_client.get(url("asset_delete", org, asset.pk)).status_code == 200
    assert path.exists()
    with django_capture_on_commit_callbacks(execute=True):
        response = manager_client.post(url("asset_delete", org, asset.pk))
    assert response.status_code == 302
    assert not Asset.objects.exists()
    assert not path.exists()


def test_viewer_downloads_but_cannot_upload(client, viewer, org):
    toolkit.asset_create(
        organisation=org,
        actor=None,
        kind="brochure",
        audience="both",
        title="Brochure",
        upload=SimpleUploadedFile("b.pdf", PDF),
    )
    login(client, viewer)
    asset = Asset.objects.get()
    assert client.get(url("asset_download", org, asset.pk)).status_code == 200
    response = upload(client, org, kind="brochure", name="c.pdf", content=PDF)
    assert response.status_code == 403
    assert Asset.objects.count() == 1


def test_another_organisations_asset_is_404(client, stranger, org, other_org):
    asset = toolkit.asset_create(
        organisation=org,
        actor=None,
        kind="brochure",
        audience="both",
        title="Brochure",
        upload=SimpleUploadedFile("b.pdf", PDF),
    )
    login(client, stranger)
    assert client.get(url("asset_download", other_org, asset.pk)).status_code == 404
    assert client.post(url("asset_delete", other_org, asset.pk)).status_code == 404
    assert Asset.objects.exists()


def test_anonymous_visitors_are_sent_to_log_in(client, org):
    asset = toolkit.asset_create(
        organisation=org,
        actor=None,
        kind="brochure",
        audience="both",
        title="Brochure",
        upload=SimpleUploadedFile("b.pdf", PDF),
    )
    response = client.get(url("asset_download", org, asset.pk))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


# ZIP contents, judged by the ZIP's table of contents before anything is unpacked


def zip_of(files, compression=zipfile.ZIP_DEFLATED):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=compression, compresslevel=9) as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def refusal(content, name="logos.zip"):
    """The check's message in English (the msgid), whatever the catalogue holds."""
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        toolkit.inspect_upload(SimpleUploadedFile(name, content), "logo_pack")
    return refused.value.messages[0]


def test_a_zip_bomb_is_refused_and_nothing_is_stored(manager_client, org, settings):
    bomb = zip_of({"logo.png": b"\0" * (50 * 1024 * 1024)})
    assert len(bomb) < 100 * 1024  # 50 MB of zeros in ~50 kB
    response = upload(manager_client, org, kind="logo_pack", name="logos.zip", content=bomb)
    assert response.status_code == 422
    assert "50 MB" in " ".join(response.context["form"].errors["file"])
    assert not Asset.objects.exists()
    assert stored_files(settings) == []
    assert refusal(bomb) == "The ZIP file unpacks to 50 MB; for a ZIP of this size at most 1 MB is allowed."


def test_a_zip_is_judged_by_its_table_of_contents_not_by_unpacking_it():
    """The entry claims 4 GB but holds 1 kB: refused for the size it claims, before any reading would
    have found that it is damaged."""
    content = bytearray(zip_of({"logo.png": b"\0" * 1024}))
    directory = content.index(b"PK\x01\x02")
    content[directory + 24 : directory + 28] = (4 * 1024**3 - 1).to_bytes(4, "little")  # uncompressed size
    assert refusal(bytes(content)).startswith("The ZIP file unpacks to 4096 MB;")


def test_a_small_zip_may_compress_well_and_a_large_one_as_images_do(manager_client, org):
    text = zip_of({"lees-mij.txt": b"Gebruik het logo op een witte achtergrond.\n" * 20000})  # 860 kB
    images = zip_of({f"logo-{n}.png": png(400 + n, 400) for n in range(5)})
    assert upload(manager_client, org, kind="logo_pack", name="tekst.zip", content=text).status_code == 302
    assert upload(manager_client, org, kind="logo_pack", name="logos.zip", content=images).status_code == 302
    assert Asset.objects.count() == 2


@pytest.mark.parametrize(
    ("files", "message"),
    [
        (
            {"../../etc/logo.png": b"x"},
            "The ZIP file contains “../../etc/logo.png”, which points outside the ZIP. "
            "Make the ZIP again from the folder with the files.",
        ),
        (
            {"/etc/logo.png": b"x"},
            "The ZIP file contains “/etc/logo.png”, which points outside the ZIP. "
            "Make the ZIP again from the folder with the files.",
        ),
        (
            {"logos/binnen.zip": zip_bytes()},
            "The ZIP file contains another archive (“logos/binnen.zip”). "
            "Put the files themselves in the ZIP.",
        ),
        (
            {f"logo-{n}.png": b"" for n in range(1001)},
            "The ZIP file holds 1001 files; at most 1000 are allowed.",
        ),
    ],
    ids=["parent-folder", "absolute-path", "nested-archive", "too-many-files"],
)
def test_a_zip_that_could_escape_or_hide_more_is_refused(files, message):
    assert refusal(zip_of(files, compression=zipfile.ZIP_STORED)) == message
