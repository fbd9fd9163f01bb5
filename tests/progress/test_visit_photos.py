"""Visit photos (走访照片): taken with the cadre's phone, checked to be pictures, turned upright,
stripped of EXIF (the GPS position of the household's door), resized; a refusal writes nothing
(no visit, no file); shown on the case's page and served only to those who read the case."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import ExifTags, Image

from gaizao.core.audit import describe_changes
from gaizao.core.errors import AppError
from gaizao.core.models import AuditEntry
from gaizao.progress.models import Visit, VisitPhoto
from gaizao.progress.services import photos as photo_service
from gaizao.progress.services import visit_record
from tests.progress.test_hardcases import TODAY, days_ago, open_case

GPS = {ExifTags.GPS.GPSLatitudeRef: "N", ExifTags.GPS.GPSLatitude: (30.0, 15.0, 42.0),
       ExifTags.GPS.GPSLongitudeRef: "E", ExifTags.GPS.GPSLongitude: (120.0, 10.0, 5.0)}


def phone_jpeg(name="IMG_2041.jpg", *, size=(2400, 1200), orientation: int | None = None, gps=False):
    """A JPEG as a phone writes it: stored sideways with the orientation in EXIF, and the position.

    The top-left quarter is red, the rest blue, so that the turn can be seen in the stored pixels."""
    image = Image.new("RGB", size, (0, 0, 255))
    image.paste((255, 0, 0), (0, 0, size[0] // 2, size[1] // 2))
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "PhoneMaker"
    if orientation:
        exif[ExifTags.Base.Orientation] = orientation
    if gps:
        exif[ExifTags.Base.GPSInfo] = GPS
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif, quality=90)
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/jpeg")


def png_with_alpha(name="截图.png"):
    out = io.BytesIO()
    Image.new("RGBA", (300, 200), (0, 128, 0, 0)).save(out, "PNG")
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/png")


def not_an_image(name="照片.jpg"):
    return SimpleUploadedFile(name, "这不是照片".encode() * 50, content_type="image/jpeg")


def files_in(media: Path) -> list[Path]:
    return [p for p in media.rglob("*") if p.is_file()] if media.exists() else []


def record(cast, case, photos, **kwargs):
    return visit_record(actor=cast.cadre, hard_case=case, visited_on=TODAY, talk="户主同意再谈", photos=photos,
                        **kwargs)


# --- stored as the page needs it ---------------------------------------------------------------------

def test_a_sideways_phone_photo_is_stored_upright_resized_without_its_gps(cast, media):
    upload = phone_jpeg(orientation=6, gps=True)  # 6: the camera was turned; shown rotated 90° clockwise
    with Image.open(io.BytesIO(upload.read())) as sent:  # the test's own photo does carry the position
        assert sent.getexif().get_ifd(ExifTags.IFD.GPSInfo)
    upload.seek(0)
    visit = record(cast, open_case(cast), [upload])

    photo = visit.photos.get()
    assert photo.name == "IMG_2041.jpg" and photo.content_type == "image/jpeg"
    with photo.file.open("rb") as handle:
        data = handle.read()
    assert photo.size == len(data)
    with Image.open(io.BytesIO(data)) as stored:
        assert stored.format == "JPEG"
        # upright: 2400 × 1200 turned is 1200 × 2400, then the longer side brought to 1600
        assert stored.size == (photo.width, photo.height) == (800, 1600)
        assert max(stored.size) <= photo_service.MAX_SIDE
        # the red top-left corner of the sensor is the top-right corner of the upright picture
        red, blue = stored.getpixel((780, 20)), stored.getpixel((20, 20))
        assert red[0] > 200 and red[2] < 60 and blue[2] > 200 and blue[0] < 60
        exif = stored.getexif()
        assert not exif.get_ifd(ExifTags.IFD.GPSInfo) and ExifTags.Base.GPSInfo not in exif
        assert ExifTags.Base.Make not in exif and ExifTags.Base.Orientation not in exif
        assert b"Exif" not in data[:2000]


def test_the_stored_file_has_a_random_name_never_the_users(cast, media):
    visit = record(cast, open_case(cast), [phone_jpeg("李四家门口.jpg")])
    stored = visit.photos.get().file.name
    assert stored.startswith("progress/visits/") and stored.endswith(".jpg") and "李四" not in stored
    assert len(Path(stored).stem) == 32


def test_a_small_photo_is_not_enlarged_and_a_transparent_png_becomes_a_white_jpeg(cast, media):
    visit = record(cast, open_case(cast), [phone_jpeg(size=(640, 480)), png_with_alpha()])
    small, png = visit.photos.order_by("id")
    assert (small.width, small.height) == (640, 480)
    assert (png.width, png.height, png.name, png.content_type) == (300, 200, "截图.png", "image/jpeg")
    with png.file.open("rb") as handle, Image.open(handle) as image:
        assert image.format == "JPEG" and image.mode == "RGB" and image.getpixel((10, 10)) >= (250, 250, 250)


def test_the_visits_audit_entry_names_its_photos(cast, media):
    case = open_case(cast)
    record(cast, case, [phone_jpeg("门口.jpg"), phone_jpeg("协议.jpg")])
    entry = AuditEntry.objects.filter(action="hardcase.visit").get()
    assert entry.changes["photos"] == "门口.jpg、协议.jpg"
    assert ("照片", "门口.jpg、协议.jpg") in describe_changes(entry.object_type, entry.changes)  # the audit page
    record(cast, case, [])
    assert "photos" not in AuditEntry.objects.filter(action="hardcase.visit").latest("id").changes


# --- refused, and nothing written ------------------------------------------------------------------

def _refused(cast, case, photos) -> AppError:
    with pytest.raises(AppError) as err:
        record(cast, case, photos)
    return err.value


def test_a_file_that_is_not_a_picture_is_refused_by_name_and_nothing_is_written(cast, media):
    case = open_case(cast)
    error = _refused(cast, case, [phone_jpeg("门口.jpg"), not_an_image("合同.jpg")])
    assert "「合同.jpg」不是可识别的照片" in error.message and "photos" in error.fields
    assert not Visit.objects.exists() and not VisitPhoto.objects.exists()
    assert files_in(media) == []
    case.refresh_from_db()
    assert case.last_visit_on is None
    assert not AuditEntry.objects.filter(action="hardcase.visit").exists()


def test_a_truncated_photo_is_refused(cast, media):
    whole = phone_jpeg("断了.jpg").read()
    error = _refused(cast, open_case(cast), [SimpleUploadedFile("断了.jpg", whole[: len(whole) // 2])])
    assert "「断了.jpg」不是可识别的照片" in error.message
    assert not Visit.objects.exists() and files_in(media) == []


def test_more_than_nine_photos_are_refused(cast, media):
    error = _refused(cast, open_case(cast), [phone_jpeg(f"{i}.jpg", size=(60, 40)) for i in range(10)])
    assert error.message == "每次走访最多 9 张照片（选择了 10 张）。" and "photos" in error.fields
    assert not Visit.objects.exists() and files_in(media) == []


def test_a_photo_over_the_size_limit_is_refused_by_name(cast, media, monkeypatch):
    monkeypatch.setattr(photo_service, "MAX_BYTES", 1024 * 1024)
    big = SimpleUploadedFile("大图.jpg", b"\xff\xd8\xff" + b"0" * (1024 * 1024 + 1), content_type="image/jpeg")
    error = _refused(cast, open_case(cast), [big])
    assert error.message.startswith("照片「大图.jpg」超过 1 MB")
    assert not Visit.objects.exists() and files_in(media) == []


def test_a_picture_of_absurd_size_is_refused_before_it_is_decoded(cast, media, monkeypatch):
    monkeypatch.setattr(photo_service, "MAX_PIXELS", 1000)
    error = _refused(cast, open_case(cast), [phone_jpeg("全景.jpg", size=(100, 100))])
    assert "照片「全景.jpg」像素过大（100×100）" in error.message
    assert files_in(media) == []


def test_files_written_before_a_later_failure_are_deleted(cast, media, monkeypatch):
    from gaizao.progress.services import hardcases

    case = open_case(cast)
    original = hardcases.audit.record

    def broken_audit(**kwargs):
        if kwargs["action"] != "hardcase.visit":
            return original(**kwargs)
        assert len(files_in(media)) == 2, "the photos are on disk when the audit entry is written"
        raise RuntimeError("audit chain unavailable")

    monkeypatch.setattr(hardcases.audit, "record", broken_audit)
    with pytest.raises(RuntimeError):
        record(cast, case, [phone_jpeg("一.jpg"), phone_jpeg("二.jpg")])
    assert not Visit.objects.exists() and not VisitPhoto.objects.exists()
    assert files_in(media) == []


def test_a_refused_visit_keeps_no_photo_even_when_only_its_date_is_wrong(cast, media):
    with pytest.raises(AppError) as err:
        visit_record(actor=cast.cadre, hard_case=open_case(cast), visited_on=days_ago(-1), talk="x",
                     photos=[phone_jpeg()])
    assert "visited_on" in err.value.fields
    assert files_in(media) == []


# --- the page ----------------------------------------------------------------------------------------

def _page(case) -> str:
    return f"/progress/hardcases/{case.pk}/"


def test_the_visit_form_opens_the_phones_camera(cast, login_as):
    case = open_case(cast)
    html = login_as(cast.cadre).get(_page(case)).content.decode()
    assert 'enctype="multipart/form-data"' in html
    field = html[html.index('name="photos"') - 200: html.index('name="photos"') + 200]
    assert 'type="file"' in field and 'accept="image/*"' in field and 'capture="environment"' in field
    assert "multiple" in field
    assert "现场照片" in html and "最多 9 张" in html


def test_a_cadre_records_a_visit_with_photos_and_sees_their_thumbnails(cast, login_as, media):
    case = open_case(cast)
    client = login_as(cast.cadre)
    response = client.post(f"{_page(case)}visits/", {
        "visited_on": TODAY.isoformat(), "talk": "户主同意再谈", "photos": [phone_jpeg("门口.jpg"), phone_jpeg("协议.jpg")],
    })
    assert response.status_code == 302
    photos = list(VisitPhoto.objects.order_by("id"))
    assert [p.name for p in photos] == ["门口.jpg", "协议.jpg"]
    html = client.get(_page(case)).content.decode()
    for photo in photos:
        assert f'src="/progress/hardcases/photos/{photo.pk}/"' in html
    assert html.count('data-testid="visit-photo"') == 2
    shown = client.get(f"/progress/hardcases/photos/{photos[0].pk}/")
    assert shown.status_code == 200 and shown["Content-Type"] == "image/jpeg"
    assert shown["Content-Disposition"].startswith("inline")
    assert b"".join(shown.streaming_content)[:3] == b"\xff\xd8\xff"


def test_the_page_shows_a_refused_photo_beside_the_field_and_writes_nothing(cast, login_as, media):
    case = open_case(cast)
    response = login_as(cast.cadre).post(f"{_page(case)}visits/", {
        "visited_on": TODAY.isoformat(), "talk": "户主同意再谈", "photos": [not_an_image("合同.pdf")],
    })
    assert response.status_code == 400
    html = response.content.decode()
    error = html[html.index('data-testid="error-photos"'):]
    assert error.startswith('data-testid="error-photos">「合同.pdf」不是可识别的照片')
    assert not Visit.objects.exists() and files_in(media) == []


@pytest.mark.parametrize("who", ["street_user_b", "resident", "outsider", "department_user"])
def test_a_photo_is_404_to_whoever_cannot_read_the_case(cast, login_as, media, who):
    visit = record(cast, open_case(cast), [phone_jpeg()])
    photo = visit.photos.get()
    assert login_as(getattr(cast, who)).get(f"/progress/hardcases/photos/{photo.pk}/").status_code == 404


@pytest.mark.parametrize("who", ["cadre", "street_user_a", "leader", "commander"])
def test_a_photo_is_shown_to_whoever_reads_the_case(cast, login_as, media, who):
    visit = record(cast, open_case(cast), [phone_jpeg()])
    photo = visit.photos.get()
    assert login_as(getattr(cast, who)).get(f"/progress/hardcases/photos/{photo.pk}/").status_code == 200


def test_the_case_page_reads_the_photos_in_one_query_however_many(cast, login_as, media, django_assert_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    case = open_case(cast)
    record(cast, case, [phone_jpeg(size=(60, 40))])
    client = login_as(cast.street_user_a)
    client.get(_page(case))  # the session's first request writes more than the next ones
    with CaptureQueriesContext(connection) as one:
        client.get(_page(case))
    for _ in range(3):
        record(cast, case, [phone_jpeg(size=(60, 40)) for _ in range(3)])
    with django_assert_num_queries(len(one.captured_queries)):
        html = client.get(_page(case)).content.decode()
    assert html.count('data-testid="visit-photo"') == 10


def test_the_api_lists_a_visits_photos_with_their_address(cast, login_as, media):
    case = open_case(cast)
    visit = record(cast, case, [phone_jpeg("门口.jpg", orientation=6)])
    photo = visit.photos.get()
    body = login_as(cast.cadre).get(f"/api/progress/hardcases/{case.pk}").json()
    assert body["visits"][0]["photos"] == [{
        "id": photo.pk, "name": "门口.jpg", "size": photo.size, "content_type": "image/jpeg", "width": 800,
        "height": 1600, "url": f"/progress/hardcases/photos/{photo.pk}/",
    }]


def test_the_page_decodes_the_photos_before_the_visits_transaction(cast, login_as, media, monkeypatch):
    # Decoding nine photos takes a second or two; inside the write's transaction SQLite's one write
    # lock would be held meanwhile, and every other write in the district would wait.
    from django.db import connection

    case = open_case(cast)
    client = login_as(cast.cadre)
    outside = len(connection.atomic_blocks)  # the test's own transaction
    depths = []
    reencode = photo_service._reencode

    def watched(image):
        depths.append(len(connection.atomic_blocks))
        return reencode(image)

    monkeypatch.setattr(photo_service, "_reencode", watched)
    response = client.post(f"{_page(case)}visits/", {
        "visited_on": TODAY.isoformat(), "talk": "户主同意再谈", "photos": [phone_jpeg("一.jpg"), phone_jpeg("二.jpg")],
    })
    assert response.status_code == 302 and VisitPhoto.objects.count() == 2
    assert depths == [outside, outside]
    # called directly, the service prepares raw uploads itself (inside its transaction)
    record(cast, case, [phone_jpeg("三.jpg")])
    assert depths[-1] == outside + 1


def test_a_reader_who_may_not_visit_gets_404_and_their_photos_are_not_read(cast, login_as, media, monkeypatch):
    case = open_case(cast)
    monkeypatch.setattr(photo_service, "_reencode", lambda image: pytest.fail("a photo was decoded"))
    response = login_as(cast.leader).post(f"{_page(case)}visits/", {
        "visited_on": TODAY.isoformat(), "talk": "x", "photos": [phone_jpeg()],
    })
    assert response.status_code == 404 and not Visit.objects.exists() and files_in(media) == []
