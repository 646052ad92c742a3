"""Country outlines: decoded from the shipped TopoJSON, and drawn as images.

The map's base layer. deck.gl drew the outlines as GeoJSON polygons, which
cost a browser without a GPU 1.5 to 3 s a map (tessellation and the polygon
and path shaders, measured in Chromium). Drawn here once into PNG files
(:class:`LandImage`) that the dashboard serves from ``static/maps/`` and the
browser caches, the map draws them as one image layer: a picture of the world
at low detail, and one of the view's region at the view's own zoom. Sea is
white, like the page; land and borders are the colours of the old layer.
"""

from __future__ import annotations

import functools
import hashlib
import io
import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image, ImageDraw

ASSETS = Path(__file__).resolve().parents[1] / "assets"
OUTLINES_FILE = "countries-110m.topo.json"
LAND_COLOUR = (243, 241, 236)
BORDER_COLOUR = (140, 140, 140)
SEA_COLOUR = (255, 255, 255)
#: deck.gl's world is 512 pixels wide at zoom 0 (Web Mercator).
WORLD_PIXELS = 512
#: The picture of the whole world is drawn at this zoom (2,048 pixels square).
WORLD_ZOOM = 2
#: The view's region: this many pixels square, at the view's zoom (rounded down).
REGION_PIXELS = 2048
#: Closer than this the outlines (1:110m) add nothing but blur.
MAX_ZOOM = 12
#: Regions snap to this grid, so that nearby views share their picture.
SNAP_PIXELS = 256
#: Web Mercator's edge.
MAX_LAT = 85.0511


def _drawing_version() -> str:
    """In each file's name: this code and the outlines it draws, digested, so a new
    drawing (or new outlines) gets new names and a browser's cached copy of an old
    picture is never used for a new one."""
    digest = hashlib.sha256(Path(__file__).read_bytes())
    digest.update((ASSETS / OUTLINES_FILE).read_bytes())
    return digest.hexdigest()[:10]


DRAWING_VERSION = _drawing_version()


@dataclass(frozen=True)
class LandImage:
    """A rectangle of the Web Mercator world at ``zoom``, in world pixels."""

    zoom: int
    x: int
    y: int
    width: int
    height: int

    @property
    def name(self) -> str:
        return (
            f"land-v{DRAWING_VERSION}-z{self.zoom}-{self.x}-{self.y}-{self.width}x{self.height}.png"
        )

    @property
    def bounds(self) -> list[float]:
        """[west, south, east, north] in degrees, as deck.gl's BitmapLayer takes them."""
        size = WORLD_PIXELS * 2**self.zoom
        west = self.x / size * 360.0 - 180.0
        east = (self.x + self.width) / size * 360.0 - 180.0
        return [
            round(west, 6),
            round(_latitude(self.y + self.height, size), 6),
            round(east, 6),
            round(_latitude(self.y, size), 6),
        ]


def _latitude(y: float, size: float) -> float:
    return math.degrees(math.atan(math.sinh(math.pi * (1 - 2 * y / size))))


def world_xy(lat: np.ndarray, lon: np.ndarray, zoom: int) -> tuple[np.ndarray, np.ndarray]:
    """Web Mercator world pixels at ``zoom`` (as deck.gl places points)."""
    size = WORLD_PIXELS * 2**zoom
    lat = np.clip(np.asarray(lat, dtype=float), -MAX_LAT, MAX_LAT)
    x = (np.asarray(lon, dtype=float) + 180.0) / 360.0 * size
    y = (math.pi - np.log(np.tan(math.pi / 4 + np.radians(lat) / 2))) / (2 * math.pi) * size
    return x, y


def land_images(lat: float, lon: float, zoom: float) -> list[LandImage]:
    """The pictures a view at (``lat``, ``lon``, ``zoom``) draws, bottom first:
    the whole world, then (closer than the world picture) the view's region."""
    world = WORLD_PIXELS * 2**WORLD_ZOOM
    images = [LandImage(WORLD_ZOOM, 0, 0, world, world)]
    level = min(int(math.floor(zoom)), MAX_ZOOM)
    if level <= WORLD_ZOOM:
        return images
    size = WORLD_PIXELS * 2**level
    cx, cy = (float(v[0]) for v in world_xy(np.array([lat]), np.array([lon]), level))
    x = int(round((cx - REGION_PIXELS / 2) / SNAP_PIXELS)) * SNAP_PIXELS
    y = int(round((cy - REGION_PIXELS / 2) / SNAP_PIXELS)) * SNAP_PIXELS
    x = min(max(x, 0), size - REGION_PIXELS)
    y = min(max(y, 0), size - REGION_PIXELS)
    images.append(LandImage(level, x, y, REGION_PIXELS, REGION_PIXELS))
    return images


def _rings() -> list[np.ndarray]:
    """Every ring of every country, as (lon, lat) arrays."""
    return _rings_cached()


@functools.cache
def _rings_cached() -> list[np.ndarray]:
    rings = []
    for feature in countries_geojson()["features"]:
        geometry = feature["geometry"]
        polygons = (
            [geometry["coordinates"]] if geometry["type"] == "Polygon" else geometry["coordinates"]
        )
        for polygon in polygons:
            rings.extend(np.asarray(ring, dtype=float) for ring in polygon)
    return rings


def draw_land(image: LandImage) -> bytes:
    """The picture as PNG bytes: land filled, borders one pixel wide, sea white.

    A palette image (three colours) compresses to a few tens of KB."""
    canvas = Image.new("P", (image.width, image.height), 0)
    canvas.putpalette([*SEA_COLOUR, *LAND_COLOUR, *BORDER_COLOUR])
    draw = ImageDraw.Draw(canvas)
    shapes = []
    for ring in _rings():
        x, y = world_xy(ring[:, 1], ring[:, 0], image.zoom)
        x, y = x - image.x, y - image.y
        if x.max() < 0 or y.max() < 0 or x.min() > image.width or y.min() > image.height:
            continue
        shapes.append(list(zip(x.tolist(), y.tolist(), strict=True)))
    for points in shapes:
        draw.polygon(points, fill=1)
    for points in shapes:
        draw.line(points, fill=2, width=1)
    out = io.BytesIO()
    canvas.save(out, format="PNG", optimize=False)
    return out.getvalue()


def write_land_image(folder: Path, image: LandImage) -> Path:
    """``folder/<name>``, drawn now unless it is there already (written whole:
    another process may be serving the folder)."""
    from trialfinder.store.layout import atomic_write_bytes

    _remove_other_drawings(folder)
    path = folder / image.name
    if not path.exists():
        atomic_write_bytes(path, draw_land(image), durable=False)
    return path


#: The folders this process has cleaned of pictures drawn by other code.
_CLEANED: set[Path] = set()


def _remove_other_drawings(folder: Path) -> None:
    """Pictures drawn by other code (their names carry another drawing version)
    are never asked for by this code: removed, once a process, so that the
    folder does not grow with every change to the drawing or the outlines."""
    if folder in _CLEANED:
        return
    _CLEANED.add(folder)
    mine = f"land-v{DRAWING_VERSION}-"
    for path in folder.glob("land-v*.png"):
        if not path.name.startswith(mine):
            path.unlink(missing_ok=True)


@functools.cache
def countries_geojson() -> dict[str, Any]:
    """Country outlines as GeoJSON, decoded from the shipped TopoJSON and cut
    at the antimeridian so they draw on a flat map."""
    topology = json.loads((ASSETS / OUTLINES_FILE).read_text(encoding="utf-8"))
    return flat_features(topojson_features(topology, "countries"))


def topojson_features(topology: dict[str, Any], name: str) -> dict[str, Any]:
    """Decode one TopoJSON object (quantized, delta-encoded arcs) to a FeatureCollection."""
    scale_x, scale_y = topology["transform"]["scale"]
    shift_x, shift_y = topology["transform"]["translate"]
    arcs = []
    for arc in topology["arcs"]:
        points = np.cumsum(np.asarray(arc, dtype=float), axis=0)
        points[:, 0] = points[:, 0] * scale_x + shift_x
        points[:, 1] = points[:, 1] * scale_y + shift_y
        arcs.append(np.round(points, 3).tolist())

    def ring(indexes: list[int]) -> list[list[float]]:
        coords: list[list[float]] = []
        for index in indexes:
            arc = arcs[index] if index >= 0 else arcs[~index][::-1]
            coords.extend(arc if not coords else arc[1:])
        return coords

    features = []
    for geometry in topology["objects"][name]["geometries"]:
        kind = geometry.get("type")
        if kind == "Polygon":
            coordinates = [ring(r) for r in geometry["arcs"]]
        elif kind == "MultiPolygon":
            coordinates = [[ring(r) for r in polygon] for polygon in geometry["arcs"]]
        else:
            continue
        features.append(
            {
                "type": "Feature",
                "properties": {"name": geometry.get("properties", {}).get("name", "")},
                "geometry": {"type": kind, "coordinates": coordinates},
            }
        )
    return {"type": "FeatureCollection", "features": features}


def _crosses(ring: list[list[float]]) -> bool:
    return any(abs(a[0] - b[0]) > 180 for a, b in zip(ring, ring[1:], strict=False))


def _clip(ring: list[list[float]], edge: float, keep_west: bool) -> list[list[float]]:
    """The part of a closed ring on one side of the meridian ``edge`` (Sutherland-Hodgman)."""

    def inside(point: list[float]) -> bool:
        return point[0] <= edge if keep_west else point[0] >= edge

    def crossing(a: list[float], b: list[float]) -> list[float]:
        t = (edge - a[0]) / (b[0] - a[0])
        return [edge, round(a[1] + t * (b[1] - a[1]), 3)]

    out: list[list[float]] = []
    for previous, current in zip(ring[-1:] + ring[:-1], ring, strict=True):
        if inside(current):
            if not inside(previous):
                out.append(crossing(previous, current))
            out.append(current)
        elif inside(previous):
            out.append(crossing(previous, current))
    if out and out[0] != out[-1]:
        out.append(out[0])
    return out


def flat_rings(ring: list[list[float]]) -> list[list[list[float]]]:
    """A ring as rings that draw on a flat (Web Mercator) map.

    The outlines are made for a globe: a ring that crosses the antimeridian
    jumps from 180 to -180 degrees, which a flat map draws as a band across
    the world. Such a ring is cut into its pieces east and west of the line.
    A ring around a pole (Antarctica) is closed along the pole instead, where
    a flat map does not show it.
    """
    if not _crosses(ring):
        return [ring]
    unwrapped = [ring[0]]
    for lon, lat in ring[1:]:
        previous = unwrapped[-1][0]
        lon += 360 * round((previous - lon) / 360)
        unwrapped.append([lon, lat])
    if abs(unwrapped[-1][0] - unwrapped[0][0]) > 180:  # it winds around a pole
        pole = 90.0 if sum(p[1] for p in ring) > 0 else -90.0
        closed: list[list[float]] = [ring[0]]
        for point in ring[1:]:
            if abs(point[0] - closed[-1][0]) > 180:
                closed += [[closed[-1][0], pole], [point[0], pole]]
            closed.append(point)
        return [closed]
    pieces = []
    for shift in (0, 360, -360):
        shifted = [[lon + shift, lat] for lon, lat in unwrapped]
        piece = _clip(_clip(shifted, 180.0, keep_west=True), -180.0, keep_west=False)
        if len(piece) >= 4:
            pieces.append(piece)
    return pieces


def flat_features(collection: dict[str, Any]) -> dict[str, Any]:
    """A FeatureCollection whose polygons draw on a flat map (see :func:`flat_rings`)."""
    features = []
    for feature in collection["features"]:
        geometry = feature["geometry"]
        polygons = (
            [geometry["coordinates"]]
            if geometry["type"] == "Polygon"
            else list(geometry["coordinates"])
        )
        flat: list[list[list[list[float]]]] = []
        for outer, *holes in polygons:
            pieces = flat_rings(outer)
            if len(pieces) == 1:
                flat.append([pieces[0], *(h for hole in holes for h in flat_rings(hole))])
            else:  # cut in two: a hole would belong to one piece only (none at this scale)
                flat.extend([piece] for piece in pieces)
        geometry = (
            {"type": "Polygon", "coordinates": flat[0]}
            if len(flat) == 1
            else {"type": "MultiPolygon", "coordinates": flat}
        )
        features.append({**feature, "geometry": geometry})
    return {"type": "FeatureCollection", "features": features}
