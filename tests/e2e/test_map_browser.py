"""The map in a real browser: a picture first (names, dots, counts, outlines,
no script), then on demand the deck, which draws with no internet; hovering a
dot shows its words as text, and clicking it lists the trials there.

Where a dot is on screen follows from the deck's view (Web Mercator, as deck.gl
draws it): the deck is built here by the library, as the page builds it.
Every browser context refuses and records any request beyond 127.0.0.1
(``conftest.py``): a basemap, a font or an injected image would fail the test.
"""

from __future__ import annotations

import io
import json
import math
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from playwright.sync_api import expect

from tests.e2e.helpers import (
    EXCEPTION,
    MAP_PICTURE,
    interactive_map,
    open_view,
    query,
    settle,
)
from tests.ui.trialdata import MARKUP_FACILITY, MARKUP_ID, MARKUP_TITLE
from trialfinder.catalog import load_catalog
from trialfinder.family.mapdeck import build_site_map
from trialfinder.query import apply_query, parse_query, result_sites

pytestmark = pytest.mark.e2e

MAP = "[data-testid=stMain] [data-testid=stDeckGlJsonChart]"
CANVAS = MAP + " canvas"
TOOLTIP = ".deck-tooltip"
LAND = (243, 241, 236)  # the country fill: drawn by the deck, from the shipped outlines
SEA = (255, 255, 255)  # no fill: the page behind the deck


def page_deck(data_dir: Path, query_string: str, lang: str = "en") -> dict:
    """The deck the map page draws for this query (the same library calls)."""
    catalog = load_catalog(data_dir, use_snapshot=False)
    parsed = parse_query(query_string)
    results = apply_query(catalog, parsed.query)
    sites = result_sites(catalog, parsed.query, results)
    titles = catalog.trials.set_index("id")["title"]
    built = build_site_map(sites, titles, parsed.query.place, parsed.query.radius_km, lang=lang)
    return json.loads(built.deck.to_json())


def _mercator(lat: float, lon: float, zoom: float) -> tuple[float, float]:
    size = 512 * 2**zoom
    y = math.log(math.tan(math.pi / 4 + math.radians(lat) / 2))
    return (lon + 180) / 360 * size, (math.pi - y) / (2 * math.pi) * size


def on_screen(box: dict, view: dict, lat: float, lon: float) -> tuple[float, float]:
    """Where (lat, lon) is drawn in a canvas showing ``view``."""
    x0, y0 = _mercator(view["latitude"], view["longitude"], view["zoom"])
    x, y = _mercator(lat, lon, view["zoom"])
    return box["x"] + box["width"] / 2 + x - x0, box["y"] + box["height"] / 2 + y - y0


def share(pixels: Image.Image, colour: tuple[int, int, int], tolerance: int = 6) -> float:
    """The share of the pixels within ``tolerance`` of ``colour``."""
    rgb = np.asarray(pixels.convert("RGB"), dtype=int)
    return float((np.abs(rgb - np.array(colour)).max(axis=2) <= tolerance).mean())


def wait_for_drawing(page) -> dict:
    """Wait until the deck has drawn the country outlines; the canvas's box."""
    canvas = page.locator(CANVAS).first
    expect(canvas).to_be_visible()
    page.wait_for_function(
        "sel => { const c = document.querySelector(sel); return c && c.width > 0; }", arg=CANVAS
    )
    for _ in range(50):
        drawn = Image.open(io.BytesIO(canvas.screenshot()))
        if share(drawn, LAND) > 0.2:
            return canvas.bounding_box()
        page.wait_for_timeout(100)
    raise AssertionError("the map never drew the country outlines")


def hover(page, x: float, y: float):
    page.mouse.move(x - 40, y - 40)
    page.mouse.move(x, y, steps=4)
    tooltip = page.locator(TOOLTIP)
    expect(tooltip).to_be_visible()
    return tooltip


def test_the_map_draws_offline_and_a_hover_shows_the_site(page, server, e2e_data_dir):
    view_query = "cond=cerebral+palsy&country=Vietnam"
    open_view(page, server.url, "/map?" + view_query)
    interactive_map(page)
    box = wait_for_drawing(page)
    drawn = Image.open(io.BytesIO(page.locator(CANVAS).first.screenshot()))
    assert share(drawn, LAND) > 0.2 and share(drawn, SEA) > 0.05  # land and sea: outlines
    deck = page_deck(e2e_data_dir, view_query)
    view = deck["initialViewState"]
    assert 8.5 < view["latitude"] < 23.5 and 102 < view["longitude"] < 110  # on Vietnam

    # Hai Phong's hospital gives no coordinates: the dot is at the city, approximate
    x, y = on_screen(box, view, 20.86481, 106.68345)
    tooltip = hover(page, x, y)
    expect(tooltip).to_have_text(
        "Hai Phong Children's Hospital, Haiphong, Vietnam\n"
        "Approximate location: placed at the city centre\n"
        "TF-CP-004: Constraint-induced movement therapy for toddlers with cerebral palsy "
        "(site status: not given)",
        use_inner_text=True,
    )
    # the whole text is inside the map, not cut off at its edge
    shown = tooltip.bounding_box()
    assert shown["x"] + shown["width"] <= box["x"] + box["width"] + 1
    assert shown["y"] + shown["height"] <= box["y"] + box["height"] + 1

    # a dot is a few pixels across: just beside it there is nothing to show
    page.mouse.move(x + 14, y + 14, steps=2)
    expect(page.locator(TOOLTIP)).to_be_hidden()
    # nor over the sea
    page.mouse.move(box["x"] + box["width"] - 20, box["y"] + 60, steps=4)
    expect(page.locator(TOOLTIP)).to_be_hidden()

    # Ho Chi Minh City, far south: its own dot
    x, y = on_screen(box, view, 10.82302, 106.62965)
    expect(hover(page, x, y)).to_contain_text("TF-CP-005: Hip checks for children")


def test_trial_text_is_text_in_the_tooltip_and_the_clicked_site_list(page, server):
    """One trial, one site: the view is fitted on it, so it is at the canvas centre."""
    open_view(page, server.url, "/map?cond=rett+syndrome")
    interactive_map(page)
    box = wait_for_drawing(page)
    centre = (box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    tooltip = hover(page, *centre)
    expect(tooltip).to_have_text(
        f"{MARKUP_FACILITY}, Hanoi, Vietnam\n"
        "Approximate location: placed at the city centre\n"
        f"{MARKUP_ID}: {MARKUP_TITLE} (site status: not given)",
        use_inner_text=True,
    )
    # only line breaks inside: no element came from the record
    tags = tooltip.evaluate("node => [...node.querySelectorAll('*')].map(n => n.tagName)")
    assert set(tags) <= {"BR"}, tags

    main = page.locator("[data-testid=stMain]")
    expect(main).to_contain_text("Click a site to list its trials.")
    page.mouse.click(*centre)
    expect(main.get_by_text("Trials at this site")).to_be_visible()
    settle(page)
    expect(main).not_to_contain_text("Click a site to list its trials.")
    listed = main.locator("[data-testid=stMarkdownContainer]").filter(has_text=MARKUP_FACILITY)
    expect(listed).to_have_text(
        f"{MARKUP_FACILITY}, Hanoi, Vietnam (approximate location: placed at the city centre)"
    )
    link = main.get_by_role("link", name=f"{MARKUP_ID}: ")
    expect(link).to_have_count(1)
    label = link.locator("[data-testid=stMarkdownContainer]")
    assert label.inner_text().replace("\u2060", "") == f"{MARKUP_ID}: {MARKUP_TITLE}"
    assert link.get_attribute("href") == f"trial?id={MARKUP_ID}"
    expect(main.locator("b, i, em, code, script, img")).to_have_count(0)
    hrefs = main.locator("a").evaluate_all("nodes => nodes.map(n => n.href)")
    assert not [h for h in hrefs if "x.test" in h], hrefs

    # the link opens the trial page, which has its own small map
    link.click()
    page.wait_for_url(lambda url: "/trial?" in url and query(url).get("id") == [MARKUP_ID])
    settle(page)
    expect(main.locator("h2").first).to_contain_text("<b>bold</b> [link](http")
    interactive_map(page)
    wait_for_drawing(page)
    expect(page.locator(EXCEPTION)).to_have_count(0)


PHONE = {"width": 390, "height": 844}
#: The generated autism trials all give only "Da Nang": one spot, many trials.
ONE_SPOT = "cond=autism+spectrum+disorder"


@pytest.fixture
def phone(browser, outside, server):
    """A page the size of a phone; every request beyond 127.0.0.1 is refused and
    fails the test (the map asks nothing of any server); the map's own pictures
    are recorded."""
    context = browser.new_context(viewport=PHONE)
    context.set_default_timeout(20_000)
    outside.guard(context)
    page = context.new_page()
    page.pictures = []
    page.on(
        "response",
        lambda r: page.pictures.append((r.url, r.status)) if "/app/static/maps/" in r.url else None,
    )
    log_before = len(server.log())
    yield page
    context.close()
    assert "Traceback" not in server.log()[log_before:]
    assert not outside.requests, f"requests left 127.0.0.1: {outside.requests}"


def _lang(lang: str) -> str:
    return "&lang=vi" if lang == "vi" else ""


def _dark_pixels(page, box: dict, x: float, y: float) -> int:
    """Dark (text) pixels in a small box centred at (x, y) of the map's canvas."""
    clip = {"x": x - 45, "y": y - 10, "width": 90, "height": 20}
    shot = Image.open(io.BytesIO(page.screenshot(clip=clip))).convert("RGB")
    return int((np.asarray(shot, dtype=int).max(axis=2) < 110).sum())


@pytest.mark.parametrize("lang", ["en", "vi"])
def test_near_hanoi_the_map_names_hanoi_and_its_neighbours(phone, server, e2e_data_dir, lang):
    view_query = "cond=cerebral+palsy&near=Hanoi" + _lang(lang)
    open_view(phone, server.url, "/map?" + view_query)
    interactive_map(phone, lang)
    phone.locator(CANVAS).first.scroll_into_view_if_needed()
    box = wait_for_drawing(phone)
    # The outlines are pictures served by the dashboard itself, once each.
    served = [(url, status) for url, status in phone.pictures]
    assert served and all(status in (200, 304) for _, status in served), served
    assert all(url.startswith(server.url + "/app/static/maps/land-") for url, _ in served)

    deck = page_deck(e2e_data_dir, view_query, lang)
    names = next(layer for layer in deck["layers"] if layer["id"] == "place-names")["data"]
    shown = {row["name"]: row for row in names}
    hanoi = "Hà Nội" if lang == "vi" else "Hanoi"
    assert shown[hanoi]["has_sites"] and "Bắc Ninh" in shown
    assert ("Hải Phòng" if lang == "vi" else "Haiphong") in shown or len(shown) >= 6
    # Each name is drawn where its city is (just above the spot): dark letters on the land.
    view = deck["initialViewState"]
    for name in (hanoi, "Bắc Ninh"):
        x, y = on_screen(box, view, shown[name]["lat"], shown[name]["lon"])
        assert _dark_pixels(phone, box, x, y - 22) > 15, name
    empty_x, empty_y = box["x"] + 30, box["y"] + box["height"] - 30
    assert _dark_pixels(phone, box, empty_x, empty_y) == 0  # no text where no city is
    expect(phone.locator(EXCEPTION)).to_have_count(0)


def test_on_a_phone_a_dot_near_the_edge_shows_its_words_inside_the_screen(
    phone, server, e2e_data_dir
):
    """deck.gl puts its tooltip at the pointer: at a dot near the map's right edge it ran
    past the phone's screen. On a narrow screen it sits along the map's foot instead."""
    view_query = "cond=cerebral+palsy&country=Vietnam"
    open_view(phone, server.url, "/map?" + view_query)
    interactive_map(phone)
    phone.locator(CANVAS).first.scroll_into_view_if_needed()
    box = wait_for_drawing(phone)
    view = page_deck(e2e_data_dir, view_query)["initialViewState"]
    x, y = on_screen(box, view, 20.86481, 106.68345)  # Hai Phong, the east of the view
    assert x > box["x"] + box["width"] / 2
    tooltip = hover(phone, x, y)
    expect(tooltip).to_contain_text("Hai Phong Children's Hospital")
    shown = tooltip.bounding_box()
    assert box["x"] - 1 <= shown["x"] and shown["x"] + shown["width"] <= box["x"] + box["width"] + 1
    assert shown["x"] + shown["width"] <= PHONE["width"]
    assert (
        box["y"] - 1 <= shown["y"] and shown["y"] + shown["height"] <= box["y"] + box["height"] + 1
    )


@pytest.mark.parametrize("lang", ["en", "vi"])
def test_many_trials_on_one_spot_are_one_dot_and_a_list_that_fits_a_phone(
    phone, server, e2e_data_dir, lang
):
    deck = page_deck(e2e_data_dir, ONE_SPOT, lang)
    sites = next(layer for layer in deck["layers"] if layer["id"] == "sites")["data"]
    assert len(sites) == 1  # every site of these trials is at the city's centre
    n = sites[0]["n_sites"]
    assert n > 20 and sites[0]["approximate"]
    counts = next(layer for layer in deck["layers"] if layer["id"] == "counts")["data"]
    assert counts == [{"lat": sites[0]["lat"], "lon": sites[0]["lon"], "count": str(n)}]

    open_view(phone, server.url, "/map?" + ONE_SPOT + _lang(lang))
    interactive_map(phone, lang)
    phone.locator(CANVAS).first.scroll_into_view_if_needed()
    box = wait_for_drawing(phone)
    centre = (box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    assert _dark_pixels(phone, box, *centre) > 5  # the number on the dot
    tooltip = hover(phone, *centre)
    first = tooltip.inner_text().splitlines()[0]
    words = "địa điểm tại chỗ này" if lang == "vi" else "sites at this spot"
    assert first.startswith(f"{n} {words}")
    phone.mouse.click(*centre)
    main = phone.locator("[data-testid=stMain]")
    heading = "Các thử nghiệm tại cơ sở này" if lang == "vi" else "Trials at this site"
    expect(main.get_by_text(heading)).to_be_visible()
    settle(phone)
    links = main.locator("a[href^='trial?id=']:visible")
    expect(links.first).to_be_visible()
    shown = links.evaluate_all(
        "nodes => nodes.filter(n => n.getClientRects().length).map(n => {"
        " const r = n.getBoundingClientRect();"
        " const size = parseFloat(getComputedStyle(n).fontSize);"
        " return [n.getAttribute('href'), r.left, r.right, size];"
        " })"
    )
    assert len({href for href, *_ in shown}) == n  # every trial there, each a link to its page
    expect(main).to_contain_text(first)
    approximate = "trung tâm thành phố" if lang == "vi" else "placed at the city centre"
    expect(main).to_contain_text(approximate)
    assert " 0 km" not in main.inner_text()
    # Nothing runs off a 390-pixel screen: no sideways scrolling, each link inside it,
    # its words at a readable size.
    widths = phone.evaluate(
        "() => [document.documentElement.scrollWidth,"
        " document.querySelector('[data-testid=stMain]').scrollWidth]"
    )
    assert max(widths) <= PHONE["width"], widths
    assert all(left >= 0 and right <= PHONE["width"] for _, left, right, _ in shown), shown
    assert min(size for *_, size in shown) >= 14
    first_link = links.first
    wanted = query("http://x/" + first_link.get_attribute("href"))["id"]
    first_link.click()
    phone.wait_for_url(lambda url: "/trial?" in url and query(url).get("id") == wanted)


@pytest.mark.parametrize("lang", ["en", "vi"])
def test_on_a_phone_the_map_is_first_a_picture_with_names_dots_and_counts(
    phone, server, e2e_data_dir, lang
):
    """No deck.gl until asked: the outlines, Hanoi's name, one dot with its number
    for the city's many sites, all inside a 390-pixel screen."""
    open_view(phone, server.url, "/map?" + ONE_SPOT + _lang(lang))
    picture = phone.locator(MAP_PICTURE)
    expect(picture).to_be_visible()
    expect(phone.locator("[data-testid=stDeckGlJsonChart]")).to_have_count(0)
    picture.scroll_into_view_if_needed()
    box = picture.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
    for _ in range(50):  # the outline pictures arrive after the page
        if share(Image.open(io.BytesIO(picture.screenshot())), LAND) > 0.2:
            break
        phone.wait_for_timeout(100)
    else:
        raise AssertionError("the picture never showed the land")
    served = [status for url, status in phone.pictures]
    assert served and all(status in (200, 304) for status in served)

    deck = page_deck(e2e_data_dir, ONE_SPOT, lang)
    [site] = next(layer for layer in deck["layers"] if layer["id"] == "sites")["data"]
    dots = picture.locator("span.dot")
    expect(dots).to_have_count(1)
    words = dots.first.get_attribute("title")  # the browser's own tooltip
    spot = "địa điểm tại chỗ này" if lang == "vi" else "sites at this spot"
    assert words.splitlines()[0].startswith(f"{site['n_sites']} {spot}")
    if lang == "en":
        assert words == site["tooltip"]  # the interactive map's words
    expect(dots.first).to_have_text(str(site["n_sites"]))
    # Da Nang is named, in the page's language, readable on a phone, inside the picture.
    city = "Đà Nẵng" if lang == "vi" else "Da Nang"
    name = picture.locator("span.name", has_text=city)
    expect(name).to_have_count(1)
    shown = name.bounding_box()
    assert shown["height"] >= 10, shown
    assert box["x"] <= shown["x"] and shown["x"] + shown["width"] <= box["x"] + box["width"]
    dot = dots.first.bounding_box()
    assert dot["width"] >= 14  # a tap-sized dot, though the picture is drawn smaller
    # Every name and dot shown is whole inside the picture (none cut at an edge).
    for shown in picture.locator("span.name:visible, span.dot").all():
        inner = shown.bounding_box()
        assert box["x"] - 0.5 <= inner["x"], shown.inner_text()
        assert inner["x"] + inner["width"] <= box["x"] + box["width"] + 0.5, shown.inner_text()
        assert box["y"] - 0.5 <= inner["y"], shown.inner_text()
        assert inner["y"] + inner["height"] <= box["y"] + box["height"] + 0.5, shown.inner_text()
    hint = "Bật “Phóng to và chạm vào bản đồ”" if lang == "vi" else "Turn on “Zoom and tap the map”"
    expect(phone.locator("[data-testid=stMain]")).to_contain_text(hint)

    interactive_map(phone, lang)
    expect(phone.locator(MAP_PICTURE)).to_have_count(0)
    wait_for_drawing(phone)
    expect(phone.locator(EXCEPTION)).to_have_count(0)
