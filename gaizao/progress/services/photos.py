"""Photos taken during a visit (走访照片): checked, turned upright, stripped and resized on the server.

A cadre takes them with the phone's camera (``<input capture>``); a phone's photo is 3–8 MB and
4000 px wide, and carries EXIF: the camera's orientation and, often, the GPS position of the
household's door. What is stored is what the page needs and nothing more: the picture turned the
way it was held (``ImageOps.exif_transpose``), at most ``MAX_SIDE`` pixels on its longer side,
re-encoded as JPEG without EXIF (no position, no device), under a random name.

Two steps, so that a visit is written whole or not at all: ``prepare_photos`` reads and re-encodes
every upload in memory and refuses the first bad one with a Chinese message naming the file, before
anything is written (the page calls it before the visit's transaction begins); ``save_photos`` then
writes the files and rows inside the visit's transaction and deletes the files it wrote if anything
after them fails (``written_files``).
"""

from __future__ import annotations

import contextlib
import io
import warnings
from dataclasses import dataclass
from pathlib import PurePath

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from gaizao.core.errors import AppError
from gaizao.core.text import strip_refused
from gaizao.progress.models import VisitPhoto

MAX_PHOTOS = 9  # a phone's photo picker shows 9 at a time; more is a gallery, not a visit's record
MAX_BYTES = 15 * 1024 * 1024  # before resizing: a phone's largest JPEG (HDR, 50 MP) is about 12 MB
MAX_PIXELS = 60_000_000  # refuse larger pictures before decoding them (a "decompression bomb")
MAX_SIDE = 1600  # enough to read a document held up to the camera; about 300 KB as JPEG
QUALITY = 85
# What Pillow reads of a phone's photo: JPEG (MPO is the JPEG some phones write with a depth map),
# PNG (screenshots), WebP and HEIF converted by the browser to JPEG.
FORMATS = {"JPEG", "MPO", "PNG", "WEBP"}
FIELD = "photos"


@dataclass(frozen=True)
class PreparedPhoto:
    """One photo as it will be stored: its shown name, the JPEG bytes, their size in pixels."""

    name: str
    data: bytes
    width: int
    height: int


def _name(upload) -> str:
    # A file name is not typed: invisible characters are dropped rather than refused.
    return strip_refused(PurePath(upload.name or "").name, multiline=False)[:200] or _("照片")


def _refusal(message: str) -> AppError:
    # The page shows a field's message beside it, not the sentence: here the sentence names the file.
    return AppError(message, fields={FIELD: message})


def _not_an_image(name: str) -> AppError:
    return _refusal(_("「%(n)s」不是可识别的照片：请用手机拍照，或选择 JPG、PNG 图片。") % {"n": name})


def _open(upload, name: str) -> Image.Image:
    """The upload's picture, checked to be a whole image of a kind we read; else the refusal."""
    try:
        upload.seek(0)
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            probe = Image.open(upload)
            if probe.format not in FORMATS:
                raise _not_an_image(name)
            if probe.width * probe.height > MAX_PIXELS:
                raise _refusal(_("照片「%(n)s」像素过大（%(w)d×%(h)d）：请用手机相机正常拍摄。")
                               % {"n": name, "w": probe.width, "h": probe.height})
            probe.verify()  # a truncated or corrupted file fails here, before any decoding
            upload.seek(0)
            image = Image.open(upload)  # verify() leaves the image unusable: open it again
            if image.format in ("JPEG", "MPO"):
                # Decode at 1/2, 1/4 or 1/8 scale when that still covers MAX_SIDE: a 12 MP photo
                # then costs a quarter of the memory and time, and the resize below finishes it.
                scale = MAX_SIDE / max(image.size)
                if scale < 1:
                    image.draft("RGB", (max(1, round(image.width * scale)), max(1, round(image.height * scale))))
            image.load()
    except AppError:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombWarning,
            Image.DecompressionBombError):
        raise _not_an_image(name) from None
    return image


def _reencode(image: Image.Image) -> tuple[bytes, int, int]:
    """Upright, at most MAX_SIDE px, RGB, as JPEG without EXIF (the position and the device stay behind)."""
    image = ImageOps.exif_transpose(image)
    if image.mode in ("RGBA", "LA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        image = Image.new("RGB", rgba.size, "white")
        image.paste(rgba, mask=rgba.getchannel("A"))
    elif image.mode != "RGB":
        image = image.convert("RGB")
    image.thumbnail((MAX_SIDE, MAX_SIDE), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    # No ``exif=``: Pillow writes none. The colour profile stays (it holds no personal data).
    icc = image.info.get("icc_profile")
    image.save(out, "JPEG", quality=QUALITY, optimize=True, **({"icc_profile": icc} if icc else {}))
    return out.getvalue(), image.width, image.height


def prepare_photos(uploads) -> list[PreparedPhoto]:
    """Check and re-encode a visit's photos in memory; the first refusal names its file.

    Photos already prepared pass through: the page prepares them before the visit's transaction
    (decoding nine photos takes a second or two, and on SQLite a write transaction holds the
    database's one write lock), the service prepares whatever it is given raw."""
    uploads = [upload for upload in (uploads or ()) if upload]
    if len(uploads) > MAX_PHOTOS:
        raise _refusal(_("每次走访最多 %(n)d 张照片（选择了 %(m)d 张）。") % {"n": MAX_PHOTOS, "m": len(uploads)})
    prepared = []
    for upload in uploads:
        if isinstance(upload, PreparedPhoto):
            prepared.append(upload)
            continue
        name = _name(upload)
        if upload.size > MAX_BYTES:
            raise _refusal(_("照片「%(n)s」超过 %(l)d MB（现为 %(s).1f MB）。")
                           % {"n": name, "l": MAX_BYTES // 1048576, "s": upload.size / 1048576})
        with _open(upload, name) as image:
            data, width, height = _reencode(image)
        prepared.append(PreparedPhoto(name=name, data=data, width=width, height=height))
    return prepared


@contextlib.contextmanager
def written_files():
    """Collects the storage names written inside it; deletes them all if it is left by an exception."""
    names: list[str] = []
    try:
        yield names
    except BaseException:
        for name in names:
            with contextlib.suppress(OSError):
                default_storage.delete(name)
        raise


def save_photos(visit, photos: list[PreparedPhoto], written: list[str]) -> list[VisitPhoto]:
    """Store prepared photos with their visit; each file's name goes into ``written`` once it exists."""
    saved = []
    for photo in photos:
        row = VisitPhoto(visit=visit, name=photo.name, size=len(photo.data), content_type="image/jpeg",
                         width=photo.width, height=photo.height)
        row.file.save("photo.jpg", ContentFile(photo.data), save=False)
        written.append(row.file.name)
        row.save(force_insert=True)
        saved.append(row)
    return saved
