"""The map of trial sites as a picture the browser draws with no script.

deck.gl (the interactive map) is a 3 MB script and, without a GPU, a second or
two of WebGL before a phone shows anything. The first view of every map is
this picture instead: the same view, the same outline pictures underneath
(:mod:`trialfinder.family.outlines`), the same city names, dots, counts and
place circle, each dot with its words as its ``title`` (the browser's own
tooltip). The interactive map is drawn only when the family asks for it.

It is plain HTML, placed in percentages of a box of the picture's shape:
Streamlit's ``st.html`` keeps HTML and drops SVG. Words and dots keep their
size in screen pixels, so they stay readable when a phone shrinks the box.
Everything from a record is escaped: trial text is data, never markup.
"""

from __future__ import annotations

import html
import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from trialfinder import localized
from trialfinder.family.mapdeck import PLACE_MARK_PIXELS, LandFolder, SiteMap
from trialfinder.family.outlines import land_images, world_xy, write_land_image
from trialfinder.family.placenames import NAME_GAP, place_names
from trialfinder.geo import Place

#: The picture's width in its own pixels (its height is the page's choice). On a
#: wide screen it is drawn up to :data:`MAX_SCALE` times larger; on a phone smaller.
WIDTH = 560
MAX_SCALE = 1.25
#: The points keep this share of the picture's size, the rest is margin.
FIT = 0.9
#: Earth's circumference at the equator in metres (Web Mercator's scale).
EQUATOR_METRES = 40_075_016.686
#: Names sit this many screen pixels above their city's spot (a dot there stays visible).
NAME_LIFT = PLACE_MARK_PIXELS + 8
#: Half a name's height, in screen pixels (13-pixel letters).
NAME_HALF_HEIGHT = 8
#: A name's width in screen pixels, per letter and for its halo (Source Sans at 13
#: pixels: about 6.5 pixels a letter; measured in Chromium, kept generous).
NAME_LETTER_PX = 7.0
NAME_PAD_PX = 6.0
#: A phone (358 pixels of room) draws the picture this much smaller: names there
#: need this much more of the picture's room.
PHONE_SHRINK = WIDTH / 358

STYLE = """<style>
.tf-map { position: relative; overflow: hidden; width: 100%; background: #fff;
  font-family: "Source Sans Pro", "Source Sans", Arial, sans-serif; line-height: 1; }
.tf-map > * { position: absolute; }
.tf-map > img { max-width: none; pointer-events: none; }
.tf-map .name { transform: translate(-50%, -50%); margin-top: -{lift}px; font-size: 13px;
  color: #282828; white-space: nowrap; pointer-events: none;
  text-shadow: 0 0 2px #fff, 0 0 2px #fff, 0 0 3px #fff; }
.tf-map .dot { transform: translate(-50%, -50%); border-radius: 50%;
  box-sizing: border-box; border: 1px solid #fff; display: flex; align-items: center;
  justify-content: center; font-size: 13px; font-weight: 700; color: #000; }
.tf-map .one { width: 12px; height: 12px; }
.tf-map .group { width: 22px; height: 22px; }
.tf-map .ring { transform: translate(-50%, -50%); border-radius: 50%; aspect-ratio: 1;
  border: 2px solid rgba(0, 0, 0, 0.63); pointer-events: none; }
@media (max-width: 640px) {
  .tf-map .wide { display: none; }
  .tf-map .one { width: 15px; height: 15px; }
  .tf-map .group { width: 26px; height: 26px; }
}
</style>""".replace("{lift}", str(NAME_LIFT))


@dataclass(frozen=True)
class Frame:
    """The picture's view: its centre in world pixels at ``zoom``, and its size."""

    zoom: float
    centre_x: float
    centre_y: float
    width: int
    height: int

    def xy(self, lat: np.ndarray, lon: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Where (lat, lon) are in the picture's pixels (the short way round the world)."""
        x, y = world_xy(lat, lon, self.zoom)  # type: ignore[arg-type]
        size = 512 * 2**self.zoom
        dx = (x - self.centre_x + size / 2) % size - size / 2
        return dx + self.width / 2, y - self.centre_y + self.height / 2


def frame_for(built: SiteMap, height: int, place: Place | None, radius_km: float) -> Frame:
    """The deck's first view, centred on the points (and the place's circle) as
    drawn, and zoomed out if they would not fit a picture ``height`` pixels tall
    (the trial page's map is short).

    The deck's view is centred on the middle of the points in degrees, which Web
    Mercator draws off the middle: a site far north fell off the picture's top."""
    view = built.deck.initial_view_state
    zoom = float(view.zoom)
    lats = built.points["lat"].to_numpy(dtype=float)
    lons = built.points["lon"].to_numpy(dtype=float)
    if place is not None:
        lats = np.append(lats, place.lat)
        lons = np.append(lons, place.lon)
    (cx,), (cy,) = world_xy(np.array([view.latitude]), np.array([view.longitude]), zoom)
    frame = Frame(zoom, float(cx), float(cy), WIDTH, height)
    if not len(lats):
        return frame
    x, y = frame.xy(lats, lons)
    extra = _radius_pixels(frame, place, radius_km) if place is not None else 0.0
    left, right = float(x.min()) - extra, float(x.max()) + extra
    top, bottom = float(y.min()) - extra, float(y.max()) + extra
    shrink = min(1.0, FIT * WIDTH / max(right - left, 1.0), FIT * height / max(bottom - top, 1.0))
    new_zoom = max(0.0, zoom + math.log2(shrink)) if shrink < 1.0 else zoom
    scale = 2 ** (new_zoom - zoom)
    size = 512 * 2**new_zoom
    centre_x = (cx + (left + right) / 2 - WIDTH / 2) * scale % size
    centre_y = min(max((cy + (top + bottom) / 2 - height / 2) * scale, 0.0), size)
    return Frame(new_zoom, centre_x, centre_y, WIDTH, height)


def _radius_pixels(frame: Frame, place: Place, radius_km: float) -> float:
    metres_per_pixel = EQUATOR_METRES * math.cos(math.radians(place.lat)) / (512 * 2**frame.zoom)
    return radius_km * 1000.0 / max(metres_per_pixel, 1e-9)


def _left_top(x: float, y: float, frame: Frame) -> str:
    return f"left:{x / frame.width * 100:.3f}%;top:{y / frame.height * 100:.3f}%"


def site_picture(
    built: SiteMap,
    height: int,
    label: str,
    place: Place | None = None,
    radius_km: float = 50.0,
    land: LandFolder | None = None,
    lang: str = "en",
) -> str:
    """The map as HTML (with its style), ``WIDTH`` x ``height`` in its own pixels.
    ``label`` is what a screen reader says the picture is."""
    frame = frame_for(built, height, place, radius_km)
    parts = [
        STYLE,
        f'<div class="tf-map" role="img" aria-label="{html.escape(label)}" '
        f'style="aspect-ratio:{frame.width}/{frame.height};'
        f'max-width:{frame.width * MAX_SCALE:.0f}px">',
    ]
    parts += _land(frame, land)
    if place is not None:
        parts += _place(frame, place, radius_km)
    parts += _names(frame, built, lang)
    parts += _dots(frame, built.points, built.aggregated)
    parts.append("</div>")
    return "".join(parts)


def _land(frame: Frame, land: LandFolder | None) -> list[str]:
    """The outline pictures under the view (written now if new); none if the
    folder cannot be written (the dots and names still show)."""
    if land is None:
        return []
    lon, lat = _centre_lonlat(frame)
    out = []
    for image in land_images(lat, lon, frame.zoom):
        try:
            write_land_image(land.path, image)
        except OSError:
            return []
        scale = 2 ** (frame.zoom - image.zoom)
        world = 512 * 2**frame.zoom
        x = image.x * scale - frame.centre_x + frame.width / 2
        y = image.y * scale - frame.centre_y + frame.height / 2
        width = image.width * scale / frame.width * 100
        height = image.height * scale / frame.height * 100
        # The world picture repeats east and west, as the world does on a flat map.
        shifts = (-world, 0.0, world) if image.width * scale >= world - 1 else (0.0,)
        for shift in shifts:
            out.append(
                f'<img src="{html.escape(land.url)}/{html.escape(image.name)}" alt="" '
                f'style="{_left_top(x + shift, y, frame)};width:{width:.3f}%;'
                f'height:{height:.3f}%"/>'
            )
    return out


def _centre_lonlat(frame: Frame) -> tuple[float, float]:
    size = 512 * 2**frame.zoom
    lon = frame.centre_x / size * 360.0 - 180.0
    lat = math.degrees(math.atan(math.sinh(math.pi * (1 - 2 * frame.centre_y / size))))
    return lon, lat


def _place(frame: Frame, place: Place, radius_km: float) -> list[str]:
    """The circle of the radius (in the picture's scale) and the place's own ring."""
    (x,), (y,) = frame.xy(np.array([place.lat]), np.array([place.lon]))
    across = 2 * _radius_pixels(frame, place, radius_km) / frame.width * 100
    return [
        f'<div class="ring" style="{_left_top(x, y, frame)};width:{across:.3f}%"></div>',
        f'<div class="ring" style="{_left_top(x, y, frame)};width:{2 * PLACE_MARK_PIXELS}px">'
        "</div>",
    ]


def _names(frame: Frame, built: SiteMap, lang: str) -> list[str]:
    """The city names, each whole inside the picture: those that fit only at full
    size (not on a phone's smaller drawing, or where they would touch another
    name there) are for wide screens only."""
    lon, lat = _centre_lonlat(frame)
    names = place_names(
        lat,
        lon,
        frame.zoom,
        built.points["lat"].to_numpy(dtype=float),
        built.points["lon"].to_numpy(dtype=float),
        lang,
        view=(frame.width, frame.height),
    )
    if not names:
        return []
    xs, ys = frame.xy(
        np.array([n["lat"] for n in names], dtype=float),
        np.array([n["lon"] for n in names], dtype=float),
    )
    out = []
    kept_on_phone: list[tuple[float, float]] = []
    for n, x, y in zip(names, xs.tolist(), ys.tolist(), strict=True):
        width = NAME_LETTER_PX * len(n["name"]) + NAME_PAD_PX
        if not _inside(frame, x, y, width, 1.0):
            continue
        # Names that would touch on a phone are shown on wide screens only (the
        # first ones, the cities with sites, are placed first).
        fits = _inside(frame, x, y, width, PHONE_SHRINK) and all(
            abs(x - a) >= PHONE_SHRINK * NAME_GAP[0] or abs(y - b) >= PHONE_SHRINK * NAME_GAP[1]
            for a, b in kept_on_phone
        )
        if fits:
            kept_on_phone.append((x, y))
        kind = "name" if fits else "name wide"
        out.append(
            f'<span class="{kind}" style="{_left_top(x, y, frame)}">{html.escape(n["name"])}</span>'
        )
    return out


def _inside(frame: Frame, x: float, y: float, width: float, shrink: float) -> bool:
    """Is a name ``width`` screen pixels wide, lifted above (x, y), whole inside the
    picture when it is drawn ``shrink`` times smaller than its own pixels?"""
    half_width, middle = width / 2 * shrink, y - NAME_LIFT * shrink
    half_height = NAME_HALF_HEIGHT * shrink
    return (
        half_width <= x <= frame.width - half_width
        and half_height <= middle <= frame.height - half_height
    )


def _dots(frame: Frame, points: pd.DataFrame, aggregated: bool) -> list[str]:
    if points.empty:
        return []
    xs, ys = frame.xy(points["lat"].to_numpy(dtype=float), points["lon"].to_numpy(dtype=float))
    out = []
    rows = zip(
        xs.tolist(),
        ys.tolist(),
        points["colour"].tolist(),
        points["n_sites"].tolist(),
        points["n_trials"].tolist(),
        points["tooltip"].tolist(),
        strict=True,
    )
    for x, y, colour, n_sites, n_trials, words in rows:
        alpha = (int(colour[3]) if len(colour) > 3 else 255) / 255
        fill = f"background:rgba({int(colour[0])},{int(colour[1])},{int(colour[2])},{alpha:.2f})"
        if aggregated:
            across = 2 * min(30.0, 3 + math.sqrt(n_trials) * 2)
            kind, size = "dot cell", f";width:{across:.0f}px;height:{across:.0f}px"
        else:
            kind, size = ("dot group" if n_sites > 1 else "dot one"), ""
        number = localized.count(int(n_sites)) if not aggregated and n_sites > 1 else ""
        if len(number) > 2:  # a dot as wide as its number
            across = NAME_LETTER_PX * len(number) + 8
            size = f";width:{across:.0f}px;height:{across:.0f}px"
        number = html.escape(number)
        out.append(
            f'<span class="{kind}" style="{_left_top(x, y, frame)};{fill}{size}" '
            f'title="{html.escape(str(words))}">{number}</span>'
        )
    return out
