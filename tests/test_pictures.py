"""Pictures: re-encoded without any metadata, refused when not an image, too large or a
decompression bomb, served by key with a content type, and only where the item is."""

from __future__ import annotations

import os
import struct
import time
import zlib
from io import BytesIO

import pytest
from PIL import Image, ImageCms
from sqlalchemy import select

from wijk.extensions import db
from wijk.models import Item
from wijk.pictures import services

GPS_IFD = 0x8825


def jpeg_with_gps(size=(1600, 900), orientation: int | None = None) -> bytes:
    """A photo as a phone makes it: camera make and model, GPS position, an ICC profile,
    XMP and a comment."""
    exif = Image.Exif()
    exif[0x010F] = "CameraMaker"
    exif[0x0110] = "SecretCam 3000"
    if orientation:
        exif[0x0112] = orientation
    gps = exif.get_ifd(GPS_IFD)
    gps.update({1: "N", 2: (52.0, 5.0, 30.0), 3: "E", 4: (4.0, 53.0, 10.0)})
    image = Image.new("RGB", size, (200, 60, 40))
    out = BytesIO()
    srgb = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    image.save(
        out,
        "JPEG",
        exif=exif,
        icc_profile=srgb,
        comment=b"secret comment",
        xmp=b"<x:xmpmeta>secret-xmp</x:xmpmeta>",
    )
    data = out.getvalue()
    assert Image.open(BytesIO(data)).getexif().get_ifd(GPS_IFD)  # the fixture has GPS
    return data


def png_bomb(width: int = 20_000, height: int = 20_000) -> bytes:
    """A valid 1-bit PNG of width x height black pixels: a few kB on disk, 400 million
    pixels once decoded. Built by hand, so making it costs no memory."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    row = b"\x00" * (1 + (width + 7) // 8)
    compressor = zlib.compressobj(9)
    idat = b"".join(compressor.compress(row) for _ in range(height)) + compressor.flush()
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")
    )


def upload(client, item, data: bytes, filename: str = "foto.jpg", **fields):
    slug = {"activity": "activiteit", "organisation": "organisatie", "offer": "vraag-aanbod"}[
        item.kind
    ]
    form = {
        "neighbourhood_id": item.neighbourhood_id,
        "title": item.title,
        "picture": (BytesIO(data), filename),
        "picture_people": "no",  # answered with every new picture (photo consent)
        **fields,
    }
    if item.kind == "activity":
        form["starts_at"] = f"{item.starts_at:%Y-%m-%dT%H:%M}"
    if item.kind == "offer":
        form.update(offer_kind=item.offer_kind, expires_on=item.expires_on.isoformat())
    return client.post(f"/{slug}/{item.id}/bewerken", data=form, content_type="multipart/form-data")


@pytest.fixture(autouse=True)
def upload_dir(app, tmp_path):
    app.config["UPLOAD_DIR"] = str(tmp_path / "uploads")


@pytest.fixture
def owner_item(auth, make_user, make_item):
    owner = make_user()
    auth.login(owner)
    return make_item("activity", owner=owner, title="Buurtfeest")


def picture_urls(item) -> list[str]:
    return [f"/afbeelding/{item.id}/{item.picture_key}/{width}.webp" for width in services.WIDTHS]


def test_uploaded_jpeg_with_gps_comes_back_without_any_metadata(client, owner_item):
    assert upload(client, owner_item, jpeg_with_gps()).status_code == 302
    db.session.refresh(owner_item)
    assert owner_item.picture_key
    for url, width in zip(picture_urls(owner_item), services.WIDTHS, strict=True):
        response = client.get(url)
        assert response.status_code == 200
        assert response.headers["Content-Type"] == "image/webp"
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        data = response.get_data()
        image = Image.open(BytesIO(data))
        assert image.format == "WEBP" and image.width == width
        assert len(image.getexif()) == 0
        assert not image.info.get("exif") and not image.info.get("icc_profile")
        assert not image.info.get("xmp")
        for marker in (b"Exif", b"EXIF", b"GPS", b"ICCP", b"XMP", b"SecretCam", b"secret"):
            assert marker not in data, marker


def test_picture_shows_on_item_page_and_card_with_the_title_as_alt(client, owner_item):
    upload(client, owner_item, jpeg_with_gps())
    db.session.refresh(owner_item)
    html = client.get(f"/activiteit/{owner_item.id}").get_data(as_text=True)
    assert picture_urls(owner_item)[1] in html and 'alt="Buurtfeest"' in html
    page = client.get(f"/wijk/{owner_item.neighbourhood.slug}").get_data(as_text=True)
    assert picture_urls(owner_item)[0] in page


def test_orientation_is_applied_before_the_metadata_goes(client, owner_item):
    upload(client, owner_item, jpeg_with_gps(size=(40, 20), orientation=6))
    db.session.refresh(owner_item)
    image = Image.open(BytesIO(client.get(picture_urls(owner_item)[0]).get_data()))
    assert image.size == (20, 40)


def test_png_with_transparency_stays_transparent_and_small_pictures_are_not_enlarged(
    client, owner_item
):
    out = BytesIO()
    Image.new("RGBA", (300, 200), (0, 0, 0, 0)).save(out, "PNG")
    assert upload(client, owner_item, out.getvalue(), "logo.png").status_code == 302
    db.session.refresh(owner_item)
    image = Image.open(BytesIO(client.get(picture_urls(owner_item)[1]).get_data()))
    assert image.size == (300, 200) and image.mode == "RGBA"


def test_decompression_bomb_is_refused_with_a_message(client, owner_item):
    bomb = png_bomb()
    assert len(bomb) < 200_000
    response = upload(client, owner_item, bomb, "bom.png")
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert 'id="picture-error"' in html and "8000" in html
    db.session.refresh(owner_item)
    assert owner_item.picture_key is None
    assert not list(services.upload_dir().iterdir())


def test_too_wide_picture_is_refused_before_decoding(owner_item):
    out = BytesIO()
    Image.new("1", (9000, 10)).save(out, "PNG")
    with pytest.raises(services.PictureError, match="8000"):
        services.prepare(BytesIO(out.getvalue()))


@pytest.mark.parametrize(
    "data,filename",
    [
        (b"Dit is geen plaatje, maar tekst.", "foto.jpg"),
        (b"GIF89a" + b"\x00" * 100, "animatie.gif"),
        (b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>", "x.svg"),
        (b"\xff\xd8\xff\xe0" + b"\x00" * 50, "kapot.jpg"),  # a JPEG header, then nothing
    ],
)
def test_a_file_that_is_not_a_picture_is_refused(client, owner_item, data, filename):
    response = upload(client, owner_item, data, filename)
    assert response.status_code == 400
    assert 'id="picture-error"' in response.get_data(as_text=True)
    db.session.refresh(owner_item)
    assert owner_item.picture_key is None


def test_oversized_file_is_refused_with_a_message(client, app, owner_item):
    big = b"\xff\xd8\xff" + os.urandom(services.MAX_BYTES)
    response = upload(client, owner_item, big)
    assert response.status_code == 400
    assert "5 MB" in response.get_data(as_text=True)
    # Beyond MAX_CONTENT_LENGTH, too: the form comes back with the message, not a bare 413.
    huge = os.urandom(app.config["MAX_CONTENT_LENGTH"] + 1)
    response = upload(client, owner_item, huge)
    assert response.status_code == 400
    assert "5 MB" in response.get_data(as_text=True)


def test_served_by_key_only_and_not_for_unpublished_items(client, auth, owner_item):
    upload(client, owner_item, jpeg_with_gps())
    db.session.refresh(owner_item)
    url = picture_urls(owner_item)[0]
    assert "public" in client.get(url).headers["Cache-Control"]
    for wrong in (
        url.replace(owner_item.picture_key, "x" * 24),
        url.replace("/480.webp", "/300.webp"),
        url.replace(f"/{owner_item.id}/", "/999999/"),
        f"/afbeelding/{owner_item.id}/..%2F..%2Fsecret_key/480.webp",
    ):
        assert client.get(wrong).status_code == 404, wrong
    owner_item.status = "hidden"
    db.session.commit()
    response = client.get(url)  # its owner still sees it, but no cache keeps it
    assert response.status_code == 200 and "no-store" in response.headers["Cache-Control"]
    auth.logout()
    assert client.get(url).status_code == 404


def test_owner_replaces_and_removes_the_picture_and_old_files_go(client, owner_item):
    upload(client, owner_item, jpeg_with_gps())
    db.session.refresh(owner_item)
    first = owner_item.picture_key
    upload(client, owner_item, jpeg_with_gps(size=(800, 600)))
    db.session.refresh(owner_item)
    assert owner_item.picture_key != first
    assert not services.path_for(first, 480).exists()
    assert services.path_for(owner_item.picture_key, 480).exists()
    second = owner_item.picture_key
    response = upload(client, owner_item, b"", filename="", remove_picture="y")
    assert response.status_code == 302
    db.session.refresh(owner_item)
    assert owner_item.picture_key is None
    assert not list(services.upload_dir().glob(f"{second}-*"))


def test_deleting_the_item_deletes_its_files(client, owner_item):
    upload(client, owner_item, jpeg_with_gps())
    db.session.refresh(owner_item)
    key = owner_item.picture_key
    assert client.post(f"/activiteit/{owner_item.id}/verwijderen").status_code == 302
    assert not list(services.upload_dir().glob(f"{key}-*"))


def test_sweep_removes_files_no_item_points_at(runner, client, owner_item):
    upload(client, owner_item, jpeg_with_gps())
    db.session.refresh(owner_item)
    kept = owner_item.picture_key
    orphan = services.store(services.prepare(BytesIO(jpeg_with_gps(size=(50, 50)))))
    young = services.store(services.prepare(BytesIO(jpeg_with_gps(size=(60, 60)))))
    hour_ago = time.time() - 7200
    for key in (kept, orphan):
        for width in services.WIDTHS:
            os.utime(services.path_for(key, width), (hour_ago, hour_ago))
    result = runner.invoke(args=["pictures-sweep"])
    assert result.exit_code == 0 and "removed" in result.output
    assert services.path_for(kept, 480).exists()
    assert not services.path_for(orphan, 480).exists()
    assert services.path_for(young, 480).exists()  # perhaps an upload still committing


def test_organisations_and_offers_have_pictures_too(client, auth, make_user, make_item):
    owner = make_user()
    auth.login(owner)
    organisation = make_item("organisation", owner=owner)
    assert upload(client, organisation, jpeg_with_gps()).status_code == 302
    assert db.session.scalar(select(Item.picture_key).where(Item.id == organisation.id))
    form = client.get("/plaatsen/vraag-aanbod").get_data(as_text=True)
    assert 'name="picture"' in form and 'enctype="multipart/form-data"' in form


def test_an_offer_has_a_picture_on_its_page_and_card(client, auth, make_user, make_item):
    owner = make_user()
    auth.login(owner)
    offer = make_item("offer", owner=owner, title="Ladder te leen")
    assert upload(client, offer, jpeg_with_gps()).status_code == 302
    db.session.refresh(offer)
    assert offer.picture_key
    html = client.get(f"/vraag-aanbod/{offer.id}").get_data(as_text=True)
    assert picture_urls(offer)[1] in html and 'alt="Ladder te leen"' in html
    page = client.get(f"/wijk/{offer.neighbourhood.slug}").get_data(as_text=True)
    assert picture_urls(offer)[0] in page
    image = Image.open(BytesIO(client.get(picture_urls(offer)[0]).get_data()))
    assert image.format == "WEBP" and len(image.getexif()) == 0


# --- photo consent at upload ----------------------------------------------------------


def consent_row(item):
    from wijk.models import PictureConsent

    return db.session.get(PictureConsent, item.id)


def test_a_picture_of_recognisable_people_without_consent_is_refused_beside_the_field(
    client, owner_item
):
    response = upload(
        client,
        owner_item,
        jpeg_with_gps(),
        description="Onze buurtbarbecue van vorig jaar, met Ünal aan de grill.",
        picture_people="yes",
        picture_people_agreed="no",
        picture_children="no",
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    error = html.split('id="picture_people_agreed-error"', 1)[1].split("</p>", 1)[0]
    assert "alleen geplaatst als ze toestemming gaven" in error
    assert "Onze buurtbarbecue van vorig jaar, met Ünal aan de grill." in html  # text kept
    db.session.refresh(owner_item)
    assert owner_item.picture_key is None and consent_row(owner_item) is None


@pytest.mark.parametrize(
    ("answers", "error_field"),
    [
        ({}, "picture_people"),  # the question itself must be answered
        ({"picture_people": "yes"}, "picture_people_agreed"),
        ({"picture_people": "yes", "picture_people_agreed": "yes"}, "picture_children"),
        (
            {"picture_people": "yes", "picture_people_agreed": "yes", "picture_children": "yes"},
            "picture_guardian_agreed",
        ),
        (
            {
                "picture_people": "yes",
                "picture_people_agreed": "yes",
                "picture_children": "yes",
                "picture_guardian_agreed": "no",
            },
            "picture_guardian_agreed",
        ),
    ],
)
def test_every_consent_question_must_be_answered_and_children_need_a_parent(
    client, owner_item, answers, error_field
):
    response = upload(client, owner_item, jpeg_with_gps(), **{"picture_people": "", **answers})
    assert response.status_code == 400
    assert f'id="{error_field}-error"' in response.get_data(as_text=True)
    db.session.refresh(owner_item)
    assert owner_item.picture_key is None


def test_consent_answers_are_stored_with_the_picture_and_shown_to_managers(
    client, owner_item, make_manager
):
    from manage_fixtures import login

    response = upload(
        client,
        owner_item,
        jpeg_with_gps(),
        picture_people="yes",
        picture_people_agreed="yes",
        picture_children="yes",
        picture_guardian_agreed="yes",
    )
    assert response.status_code == 302
    db.session.refresh(owner_item)
    row = consent_row(owner_item)
    assert row.picture_key == owner_item.picture_key
    assert (row.people, row.people_agreed, row.children, row.guardian_agreed) == (
        True,
        True,
        True,
        True,
    )
    assert row.answered_by_id == owner_item.owner_id

    client.post("/uitloggen")
    manager = make_manager(owner_item.neighbourhood)
    login(client, manager)
    page = client.get(f"/beheer/{owner_item.neighbourhood.slug}/items/{owner_item.id}")
    html = page.get_data(as_text=True)
    assert "Toestemming voor de foto" in html
    facts = html.split("picture-consent-facts", 1)[1].split("</dl>", 1)[0]
    assert facts.count(">ja<") == 4


def test_an_edit_without_a_new_picture_keeps_the_answers_and_removing_it_erases_them(
    client, owner_item
):
    upload(client, owner_item, jpeg_with_gps(), picture_people="no")
    db.session.refresh(owner_item)
    assert consent_row(owner_item).people is False
    kept = upload(client, owner_item, b"", filename="")  # no new picture: no questions
    assert kept.status_code == 302
    assert consent_row(owner_item) is not None
    upload(client, owner_item, b"", filename="", remove_picture="y")
    db.session.expire_all()
    assert consent_row(owner_item) is None


def test_answers_of_a_replaced_picture_are_erased_by_the_purge(client, owner_item):
    from wijk.privacy.retention import purge

    upload(client, owner_item, jpeg_with_gps(), picture_people="no")
    db.session.refresh(owner_item)
    owner_item.picture_key = "changed-elsewhere"
    db.session.commit()
    assert purge()["picture_consent"] == 1
    assert consent_row(owner_item) is None
