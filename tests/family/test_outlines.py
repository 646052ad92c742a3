"""Country outlines: decoded from the TopoJSON, drawn into the pictures the map serves."""

import io

import numpy as np
from PIL import Image

from trialfinder.family.outlines import (
    BORDER_COLOUR,
    LAND_COLOUR,
    REGION_PIXELS,
    SEA_COLOUR,
    WORLD_ZOOM,
    countries_geojson,
    draw_land,
    land_images,
    topojson_features,
    world_xy,
    write_land_image,
)


def test_topojson_decoding_restores_coordinates() -> None:
    topology = {
        "type": "Topology",
        "transform": {"scale": [0.5, 0.25], "translate": [10, 20]},
        "arcs": [[[0, 0], [2, 0], [0, 4]], [[2, 4], [-2, -4]]],
        "objects": {
            "shapes": {
                "type": "GeometryCollection",
                "geometries": [
                    {"type": "Polygon", "arcs": [[0, 1]], "properties": {"name": "Tri"}},
                    {"type": "Polygon", "arcs": [[~1, ~0]], "properties": {"name": "Back"}},
                ],
            }
        },
    }
    features = topojson_features(topology, "shapes")["features"]
    assert features[0]["geometry"]["coordinates"] == [[[10, 20], [11, 20], [11, 21], [10, 20]]]
    assert features[1]["geometry"]["coordinates"][0][0] == [10, 20]
    vietnam = next(
        f for f in countries_geojson()["features"] if f["properties"]["name"] == "Vietnam"
    )
    lons = [p[0] for ring in vietnam["geometry"]["coordinates"] for p in ring]
    assert 102 < min(lons) < 103.5 and 108.5 < max(lons) < 110


def _colour_at(png: bytes, image, lat: float, lon: float) -> tuple[int, int, int]:
    x, y = world_xy(np.array([lat]), np.array([lon]), image.zoom)
    picture = Image.open(io.BytesIO(png)).convert("RGB")
    return picture.getpixel((int(x[0]) - image.x, int(y[0]) - image.y))


def test_a_view_gets_the_world_and_its_region_at_its_zoom() -> None:
    world, region = land_images(21.02, 105.84, 8.4)
    assert world.zoom == WORLD_ZOOM and world.bounds[0] == -180 and world.bounds[2] == 180
    assert region.zoom == 8 and region.width == REGION_PIXELS
    west, south, east, north = region.bounds
    assert west < 105.84 < east and south < 21.02 < north
    # nearby views share their region's picture (and the browser's cached copy)
    assert land_images(21.03, 105.86, 8.9)[1] == region
    assert land_images(21.02, 105.84, 1.5) == [world]


def test_the_picture_has_land_where_the_outlines_say_and_sea_elsewhere() -> None:
    region = land_images(21.02, 105.84, 6.2)[1]
    png = draw_land(region)
    assert png.startswith(b"\x89PNG") and len(png) < 200_000
    assert _colour_at(png, region, 21.02, 105.84) == LAND_COLOUR  # Hanoi
    assert _colour_at(png, region, 19.5, 107.5) == SEA_COLOUR  # the Gulf of Tonkin
    colours = {c for _, c in Image.open(io.BytesIO(png)).convert("RGB").getcolors()}
    assert colours == {LAND_COLOUR, SEA_COLOUR, BORDER_COLOUR}


def test_a_picture_is_written_once(tmp_path) -> None:
    region = land_images(10.8, 106.6, 7)[1]
    path = write_land_image(tmp_path, region)
    assert path.name == region.name and path.read_bytes() == draw_land(region)
    before = path.stat().st_mtime_ns
    assert write_land_image(tmp_path, region) == path
    assert path.stat().st_mtime_ns == before
    assert [p.name for p in tmp_path.iterdir()] == [region.name]  # no temporary file left


def test_country_outlines_do_not_run_across_the_map() -> None:
    """Outlines made for a globe jump from 180 to -180 degrees (Russia, Fiji): on
    a flat map such an edge is a band across the world, unless it is cut."""
    names = set()
    for feature in countries_geojson()["features"]:
        geometry = feature["geometry"]
        polygons = (
            [geometry["coordinates"]] if geometry["type"] == "Polygon" else geometry["coordinates"]
        )
        for ring in (ring for polygon in polygons for ring in polygon):
            assert ring[0] == ring[-1]
            for (lon1, lat1), (lon2, lat2) in zip(ring, ring[1:], strict=False):
                assert -180 <= lon1 <= 180
                if abs(lon2 - lon1) > 180:  # only along a pole, off a Mercator map
                    assert min(abs(lat1), abs(lat2)) >= 85, feature["properties"]["name"]
        names.add(feature["properties"]["name"])
    assert {"Russia", "Fiji", "Antarctica", "Vietnam"} <= names
    # and in the world's picture, the Pacific between Fiji and Hawaii is sea
    world = land_images(0, 0, 1)[0]
    assert _colour_at(draw_land(world), world, -5.0, -175.0) == SEA_COLOUR


def test_pictures_drawn_by_other_code_are_removed_and_others_kept(tmp_path) -> None:
    """A picture's name carries its drawing's version: older ones are never asked
    for again, and the folder does not grow with each change of the drawing."""
    older = tmp_path / "land-v0123456789-z2-0-0-2048x2048.png"
    older.write_bytes(b"old")
    other_file = tmp_path / "README.md"
    other_file.write_text("kept")
    image = land_images(21.0, 105.8, 7.0)[-1]
    written = write_land_image(tmp_path, image)
    assert written.is_file() and not older.exists() and other_file.exists()
    older.write_bytes(b"old")  # cleaned once a process: a later write keeps going
    write_land_image(tmp_path, land_images(10.8, 106.6, 7.0)[-1])
    assert older.exists()
