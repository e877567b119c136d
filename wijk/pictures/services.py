"""Pictures of activities, organisations and offers. An upload is decoded by Pillow and drawn
anew at a few widths as WebP, so nothing of the original file survives: no EXIF (GPS,
camera), no XMP, no ICC profile (colours are converted to sRGB first), no trailing bytes.
Files are stored as <instance>/uploads/<random key>-<width>.webp and served by key."""

from __future__ import annotations

import os
import re
import secrets
import time
import warnings
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path
from typing import IO, TYPE_CHECKING

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from wijk.extensions import db
from wijk.models import Item

if TYPE_CHECKING:
    from PIL import Image

MAX_BYTES = 5 * 1024 * 1024
MAX_SIDE = 8000
MAX_PIXELS = 50_000_000  # a 48-megapixel phone photo; Pillow warns above, and we refuse
WIDTHS = (480, 1200)
FORMATS = ("JPEG", "PNG", "WEBP")
MIMETYPE = "image/webp"

TOO_BIG = _l("The picture is larger than 5 MB. Choose a smaller one.")
TOO_WIDE = _l("The picture is too large: at most %(side)d pixels wide and high.", side=MAX_SIDE)
NOT_AN_IMAGE = _l("This file is not a JPEG, PNG or WebP picture.")


class PictureError(Exception):
    """The upload is refused; str(error) is the message for the person."""


@dataclass(frozen=True)
class Prepared:
    """A verified, re-encoded picture, ready to be stored: width -> WebP bytes."""

    variants: dict[int, bytes]


def prepare(stream: IO[bytes]) -> Prepared:
    """Verify the upload and re-encode it; raises PictureError with a message. Pillow is
    imported here, by the requests that carry a picture: 3 MB no other request needs."""
    from PIL import Image, UnidentifiedImageError  # noqa: PLC0415

    # Pillow's own guard: a warning above this many pixels (turned into an error below),
    # an error above twice as many.
    Image.MAX_IMAGE_PIXELS = MAX_PIXELS
    data = stream.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise PictureError(str(TOO_BIG))
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            with Image.open(BytesIO(data), formats=FORMATS) as probe:
                _check_size(probe)  # from the header, before any pixel is decoded
                probe.verify()
            with Image.open(BytesIO(data), formats=FORMATS) as image:
                return Prepared(_encode(image))
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
            raise PictureError(str(TOO_WIDE)) from error
        except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError) as error:
            raise PictureError(str(NOT_AN_IMAGE)) from error


def _check_size(image: Image.Image) -> None:
    from PIL import Image  # noqa: PLC0415 (loaded by prepare())

    width, height = image.size
    if width > MAX_SIDE or height > MAX_SIDE or width * height > MAX_PIXELS:
        raise Image.DecompressionBombError(f"{width}x{height}")


def _encode(image: Image.Image) -> dict[int, bytes]:
    from PIL import Image, ImageOps  # noqa: PLC0415 (loaded by prepare())

    if image.format == "JPEG":
        image.draft("RGB", (max(WIDTHS) * 2, max(WIDTHS) * 2))  # decode JPEGs at a smaller scale
    image = ImageOps.exif_transpose(image)  # keep the orientation the camera meant
    has_alpha = image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info
    image = image.convert("RGBA" if has_alpha else "RGB")
    image = _to_srgb(image)
    variants = {}
    for width in WIDTHS:
        scaled = image
        if image.width > width:
            height = max(1, round(image.height * width / image.width))
            scaled = image.resize((width, height), Image.Resampling.LANCZOS)
        # A new image from the bare pixels: no info dict, so nothing can be carried over.
        bare = Image.frombytes(scaled.mode, scaled.size, scaled.tobytes())
        out = BytesIO()
        bare.save(out, "WEBP", quality=80, method=4)
        variants[width] = out.getvalue()
    return variants


def _to_srgb(image: Image.Image) -> Image.Image:
    """Convert colours from an embedded profile to sRGB, so the profile can be dropped."""
    icc = image.info.get("icc_profile")
    if not icc:
        return image
    from PIL import ImageCms  # noqa: PLC0415 (only pictures with a profile need it)

    try:
        source = ImageCms.ImageCmsProfile(BytesIO(icc))
        converted = ImageCms.profileToProfile(
            image, source, ImageCms.createProfile("sRGB"), outputMode=image.mode
        )
    except (ImageCms.PyCMSError, OSError, ValueError):
        return image  # a broken profile: keep the pixels as they are
    return converted or image


# --- storage ------------------------------------------------------------------------


KEY = re.compile(r"[A-Za-z0-9_-]{1,64}")  # what store() makes: token_urlsafe


def upload_dir() -> Path:
    """<instance>/uploads, or FLASK_UPLOAD_DIR (e.g. a volume shared by the app nodes)."""
    folder = Path(
        current_app.config.get("UPLOAD_DIR") or Path(current_app.instance_path) / "uploads"
    )
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def path_for(key: str, width: int) -> Path:
    return upload_dir() / f"{key}-{width}.webp"


def store(prepared: Prepared) -> str:
    """Write the variants under a new random key and return it."""
    key = secrets.token_urlsafe(18)
    for width, data in prepared.variants.items():
        target = path_for(key, width)
        partial = target.with_suffix(".part")
        partial.write_bytes(data)
        os.replace(partial, target)
    return key


def files_of(key: str | None) -> list[Path]:
    """Every stored file of a picture (its sizes), for the export; [] for no or a bad key."""
    if not key or not KEY.fullmatch(key):
        return []
    return sorted(path for path in upload_dir().glob(f"{key}-*") if path.is_file())


def discard(key: str | None) -> None:
    """Remove the files of a picture; a key without files is fine."""
    for path in files_of(key):
        path.unlink(missing_ok=True)


def sweep_unused(grace_seconds: int = 3600) -> int:
    """Remove files whose key no item points at any more (items deleted by a database
    cascade, e.g. with an account). Files younger than the grace period are left alone:
    they may belong to an upload whose transaction has not committed yet."""
    in_use = set(db.session.scalars(select(Item.picture_key).where(Item.picture_key.is_not(None))))
    cutoff = time.time() - grace_seconds
    removed = 0
    for path in upload_dir().glob("*.webp"):
        key = path.name.rsplit("-", 1)[0]
        if key not in in_use and path.stat().st_mtime < cutoff:
            path.unlink(missing_ok=True)
            removed += 1
    return removed
