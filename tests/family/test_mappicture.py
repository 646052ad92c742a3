"""The map as a picture (positioned HTML), built from fixture tables and read back."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest

from trialfinder.catalog import build_catalog
from trialfinder.family.mapdeck import LandFolder, build_site_map
from trialfinder.family.mappicture import (
    NAME_LETTER_PX,
    NAME_PAD_PX,
    PHONE_SHRINK,
    WIDTH,
    Frame,
    frame_for,
    site_picture,
)
from trialfinder.family.outlines import world_xy
from trialfinder.family.placenames import NAME_GAP
from trialfinder.geo import resolve_place
from trialfinder.model import Site, Trial

MARKUP = '<img src=x onerror="alert(1)"> & <b>bold</b>'


def _site(facility: str, lat: float | None, lon: float | None, status: str | None = None):
    return Site(facility=facility, city="Hanoi", country="Vietnam", status=status, lat=lat, lon=lon)


HANOI = Trial(
    id="TF-PIC-1",
    brief_title=MARKUP,
    sites=(
        _site(MARKUP, 21.02, 105.84, "RECRUITING"),
        _site("Rehab Centre", 21.05, 105.80, "COMPLETED"),
        _site("Placed at the city", None, None),
    ),
)
SAME_SPOT = Trial(
    id="TF-PIC-2",
    brief_title="Second trial at the hospital",
    sites=(_site("Children's Hospital", 21.02, 105.84, "NOT_YET_RECRUITING"),),
)
FAR = Trial(
    id="TF-PIC-3",
    brief_title="A trial in Boston too",
    sites=(
        _site("Hanoi site", 21.02, 105.84, "RECRUITING"),
        Site(facility="Boston site", city="Boston", country="United States", lat=42.36, lon=-71.06),
    ),
)


def _picture(*trials, height=520, tmp_path=None, **kwargs):
    catalog = build_catalog(list(trials))
    titles = catalog.trials.set_index("id")["title"]
    place, radius = kwargs.pop("place", None), kwargs.pop("radius_km", 50.0)
    built = build_site_map(catalog.sites, titles, place, radius, lang=kwargs.get("lang", "en"))
    land = LandFolder(tmp_path, "app/static/maps") if tmp_path else None
    markup = site_picture(built, height, "Map of 4 trial sites", place, radius, land=land, **kwargs)
    style, body = markup.split("</style>", 1)
    return built, ET.fromstring(body), style


def _at(element, height=520) -> tuple[float, float]:
    """Where an element is placed, in the picture's own pixels."""
    style = element.get("style")
    left = float(re.search(r"left:([-\d.]+)%", style).group(1))
    top = float(re.search(r"top:([-\d.]+)%", style).group(1))
    return left / 100 * WIDTH, top / 100 * height


def _dots(box):
    return [e for e in box.iter("span") if "dot" in e.get("class", "").split()]


def test_each_location_is_one_dot_where_the_deck_puts_it(tmp_path) -> None:
    built, box, _ = _picture(HANOI, SAME_SPOT, tmp_path=tmp_path)
    assert box.get("role") == "img" and box.get("aria-label") == "Map of 4 trial sites"
    dots = _dots(box)
    assert len(dots) == len(built.points) == 3
    view = built.deck.initial_view_state
    assert frame_for(built, 520, None, 50.0).zoom == pytest.approx(view.zoom)  # fits as it is
    (cx,), (cy,) = world_xy([view.latitude], [view.longitude], view.zoom)
    for dot, (lat, lon) in zip(dots, built.points[["lat", "lon"]].to_numpy(), strict=True):
        (x,), (y,) = world_xy([lat], [lon], view.zoom)
        assert _at(dot) == pytest.approx((x - cx + WIDTH / 2, y - cy + 260), abs=0.05)
    # The hospital holds two trials' sites: a larger dot with its number on it.
    hospital = next(d for d in dots if "2 sites at this spot" in d.get("title"))
    assert "group" in hospital.get("class") and hospital.text == "2"
    assert [d.text for d in dots if d is not hospital] == [None, None]
    # A site placed at its city's centre is fainter and says so.
    placed = next(d for d in dots if "placed at the city centre" in d.get("title"))

    def alpha(dot) -> float:
        return float(re.search(r"rgba\([\d,]+,([\d.]+)\)", dot.get("style")).group(1))

    assert alpha(placed) < alpha(hospital)


def test_record_text_is_text_never_markup() -> None:
    _, box, _ = _picture(HANOI)
    assert [e.tag for e in box.iter()] and {e.tag for e in box.iter()} <= {"div", "span"}
    assert not [e for e in box.iter() if "onerror" in e.attrib]
    words = "\n".join(d.get("title") for d in _dots(box))
    assert MARKUP in words  # the words themselves, shown whole


def test_outlines_are_the_served_pictures_under_the_dots(tmp_path) -> None:
    _, box, _ = _picture(HANOI, tmp_path=tmp_path)
    images = box.findall("img")
    assert images
    for image in images:
        assert image.get("alt") == ""
        name = image.get("src").removeprefix("app/static/maps/")
        assert (tmp_path / name).is_file()  # written for the browser to fetch
    children = list(box)
    assert all(children.index(image) < children.index(_dots(box)[0]) for image in images)
    # the view's region covers the whole picture
    region = images[-1]
    x, y = _at(region)
    width = float(re.search(r"width:([\d.]+)%", region.get("style")).group(1))
    height = float(re.search(r"height:([\d.]+)%", region.get("style")).group(1))
    assert x <= 0 and y <= 0
    assert x + width / 100 * WIDTH >= WIDTH and y + height / 100 * 520 >= 520


def test_without_a_folder_for_the_outlines_the_dots_still_show() -> None:
    _, box, _ = _picture(HANOI)
    assert not box.findall("img") and _dots(box)


@pytest.mark.parametrize("lang, hanoi", [("en", "Hanoi"), ("vi", "Hà Nội")])
def test_city_names_in_the_page_language(lang, hanoi) -> None:
    _, box, _ = _picture(HANOI, lang=lang)
    names = [e.text for e in box.iter("span") if e.get("class") == "name"]
    assert hanoi in names


FAR_NORTH = Trial(
    id="TF-PIC-4",
    brief_title="Sites from the Arctic to the far south",
    sites=(
        Site(facility="Tromso", city="Tromso", country="Norway", lat=69.65, lon=18.96),
        Site(facility="Reykjavik", city="Reykjavik", country="Iceland", lat=64.15, lon=-21.94),
        Site(facility="Cape Town", city="Cape Town", country="South Africa", lat=-33.92, lon=18.42),
        Site(facility="Melbourne", city="Melbourne", country="Australia", lat=-37.81, lon=144.96),
    ),
)


@pytest.mark.parametrize("trials", [(FAR,), (FAR_NORTH,)], ids=["boston-hanoi", "far-north"])
@pytest.mark.parametrize("height", [300, 520])
def test_every_site_is_inside_the_picture(trials, height) -> None:
    """Zoomed out when the sites would not fit, and centred on them as drawn: Web
    Mercator draws the far north larger, and a middle in degrees is not the
    middle of the picture."""
    built, box, _ = _picture(*trials, height=height)
    dots = _dots(box)
    assert len(dots) == len(built.points) > 1
    for dot in dots:
        x, y = _at(dot, height=height)
        assert 0.04 * WIDTH <= x <= 0.96 * WIDTH and 0.04 * height <= y <= 0.96 * height


def test_near_a_place_its_circle_has_the_radius_in_the_picture_s_scale() -> None:
    hanoi = resolve_place("Hanoi")
    built, box, _ = _picture(HANOI, place=hanoi, radius_km=20.0)
    circle, mark = [e for e in box.iter("div") if e.get("class") == "ring"]
    frame = frame_for(built, 520, hanoi, 20.0)
    (x0,), _ = world_xy([hanoi.lat], [hanoi.lon], frame.zoom)
    east = hanoi.lon + 20.0 / (111.32 * 0.9335)  # 20 km east, at cos(21.03 degrees)
    (x1,), _ = world_xy([hanoi.lat], [east], frame.zoom)
    across = float(re.search(r"width:([\d.]+)%", circle.get("style")).group(1)) / 100 * WIDTH
    assert across == pytest.approx(2 * (x1 - x0), rel=0.02)
    assert _at(circle) == _at(mark)


def test_frame_places_points_the_short_way_round_the_world() -> None:
    frame = Frame(zoom=2.0, centre_x=2040.0, centre_y=1024.0, width=720, height=520)
    (x,), _ = frame.xy([0.0], [-179.0])  # just past the antimeridian, east of the centre
    assert 360 < x < 400


def test_names_that_would_touch_on_a_phone_are_for_wide_screens_only() -> None:
    _, box, style = _picture(HANOI)
    names = [e for e in box.iter("span") if "name" in e.get("class").split()]
    on_phone = [e for e in names if "wide" not in e.get("class").split()]
    assert ".wide { display: none; }" in style.split("@media (max-width: 640px)", 1)[1]
    assert "Hanoi" in [e.text for e in on_phone]
    assert len(on_phone) < len(names)  # around Hanoi the cities are close together
    for i, a in enumerate(on_phone):
        for b in on_phone[i + 1 :]:
            (ax, ay), (bx, by) = _at(a), _at(b)
            assert (
                abs(ax - bx) >= PHONE_SHRINK * NAME_GAP[0]
                or abs(ay - by) >= PHONE_SHRINK * NAME_GAP[1]
            ), (a.text, b.text)


@pytest.mark.parametrize("trials", [(HANOI,), (FAR,), (FAR_NORTH,)])
def test_every_name_is_whole_inside_the_picture(trials) -> None:
    """At full size, and on a phone for the names shown there (the picture drawn
    smaller, the letters not)."""
    _, box, _ = _picture(*trials, height=300)
    names = [e for e in box.iter("span") if "name" in e.get("class").split()]
    assert names
    for name in names:
        shrink = 1.0 if "wide" in name.get("class").split() else PHONE_SHRINK
        x, y = _at(name, height=300)
        half = (NAME_LETTER_PX * len(name.text) + NAME_PAD_PX) / 2 * shrink
        assert half <= x <= WIDTH - half, name.text
        assert 8 * shrink <= y - 22 * shrink <= 300 - 8 * shrink, name.text


def test_a_dot_is_as_wide_as_its_number() -> None:
    many = Trial(
        id="TF-PIC-5",
        brief_title="A thousand sites at one spot",
        sites=tuple(_site(f"Site {i}", 21.02, 105.84) for i in range(1234)),
    )
    _, box, _ = _picture(many)
    [dot] = _dots(box)
    assert dot.text == "1,234"
    width = float(re.search(r"width:([\d.]+)px", dot.get("style")).group(1))
    assert width >= NAME_LETTER_PX * len("1,234")
