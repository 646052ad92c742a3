"""Every page of a data directory in a real browser: how long until it settles.

    python -m benchmarks.browser [--data-dir data] [--repeat 3] [--phone]

Starts ``streamlit run dashboard.py`` on the data directory, warms each page
once, then opens each page ``--repeat`` times in a fresh Chromium context
(Debian's /usr/bin/chromium) and measures from navigation until the page has
settled: the script has run and stopped, nothing is stale, and, on pages with
a map, the map has drawn its land (the outline pictures load after the page:
the map's picture, or with ``--interactive`` the deck's canvas, is checked
until a fifth of it has the land's colour). The median
is reported beside the floor (a page with one line of text, same server, same
browser) and the load average.
"""

from __future__ import annotations

import argparse
import io
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
from PIL import Image

from benchmarks.run import REPO, machine
from deploy.serve import dashboard_command
from trialfinder.family.outlines import LAND_COLOUR
from trialfinder.i18n import translations

CHROMIUM = "/usr/bin/chromium"
APP_READY = "[data-testid=stApp][data-test-connection-state=CONNECTED]"
SCRIPT_DONE = "[data-testid=stApp][data-test-script-state=notRunning]"
DRAWN = "[data-testid=stMain] [data-testid=stElementContainer]"
STALE = "[data-testid=stMain] [data-stale=true]"
MAP = "[data-testid=stMain] .tf-map"
DECK = "[data-testid=stDeckGlJsonChart] canvas"
#: The switch that draws the interactive map (deck.gl) in place of the picture.
INTERACTIVE = "Zoom and tap the map"

#: (name, path, has a map). The floor is a page with no trial on it.
PAGES: tuple[tuple[str, str, bool], ...] = (
    ("floor: follow page, no token", "/follow", False),
    ("find, cold landing", "/", False),
    ("find, cerebral palsy near Hanoi", "/?cond=cerebral+palsy&age=4&near=Hanoi", False),
    ("map", "/map?cond=cerebral+palsy", True),
    ("trial (seed)", "/trial?id=NCT07527104", True),
    ("trial (seed, Vietnamese)", "/trial?id=VINMEC-CP-BMMNC&lang=vi", True),
    ("handout", "/handout?id=NCT07527104", False),
    ("compare", "/compare?ids=NCT07527104&ids=VINMEC-CP-BMMNC", False),
    ("treatment", "/treatment?intr=bone+marrow", False),
    ("sponsor", "/sponsor?spons=Vinmec", False),
    ("about the data", "/data", False),
)


def _server(data_dir: Path, port: int) -> subprocess.Popen:
    env = {**os.environ, "TRIALFINDER_DATA_DIR": str(data_dir)}
    command = dashboard_command(port)
    return subprocess.Popen(
        command, cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )


def land_drawn(page, selector: str = MAP, timeout_s: float = 60.0) -> None:
    """Wait until a fifth of the map (its picture, or the deck's canvas) has the
    land's colour."""
    canvas = page.locator(selector).first
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        pixels = np.asarray(Image.open(io.BytesIO(canvas.screenshot())).convert("RGB"), dtype=int)
        if (np.abs(pixels - np.array(LAND_COLOUR)).max(axis=2) <= 6).mean() > 0.2:
            return
        time.sleep(0.02)
    raise TimeoutError("the map never drew its land")


def settle_seconds(
    browser, url: str, has_map: bool, viewport: dict, interactive: bool = False
) -> float:
    """Seconds from navigation until the page has settled; with ``interactive``,
    until the family has also turned the map interactive and the deck drew (the
    switch is pressed as soon as it is there)."""
    context = browser.new_context(viewport=viewport)
    context.set_default_timeout(60_000)
    page = context.new_page()
    start = time.perf_counter()
    page.goto(url)
    page.wait_for_selector(APP_READY, state="attached")
    page.wait_for_selector(SCRIPT_DONE, state="attached")
    page.wait_for_selector(DRAWN, state="attached")
    page.wait_for_selector(STALE, state="detached")
    if has_map:
        page.wait_for_selector(MAP, state="attached")
        land_drawn(page)
        if interactive:
            lang = "vi" if "lang=vi" in url else "en"
            switch = translations(lang).gettext(INTERACTIVE)
            page.locator("[data-testid=stMain]").get_by_text(switch, exact=True).click()
            page.wait_for_selector(DECK, state="attached")
            land_drawn(page, DECK)
    elapsed = time.perf_counter() - start
    context.close()
    return elapsed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, default=REPO / "data")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--port", type=int, default=8597)
    parser.add_argument("--phone", action="store_true", help="390x844 instead of 1280x900")
    parser.add_argument("--page", action="append", help="only pages whose name has this")
    parser.add_argument(
        "--interactive", action="store_true", help="on map pages, also draw the deck"
    )
    args = parser.parse_args(argv)
    from playwright.sync_api import sync_playwright

    viewport = {"width": 390, "height": 844} if args.phone else {"width": 1280, "height": 900}
    server = _server(args.data_dir.resolve(), args.port)
    base = f"http://127.0.0.1:{args.port}"
    pages = [p for p in PAGES if not args.page or any(w in p[0] for w in args.page)]
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"]
            )
            deadline = time.monotonic() + 60
            while True:
                try:
                    settle_seconds(browser, base + "/follow", False, viewport)
                    break
                except Exception:
                    if time.monotonic() > deadline:
                        raise
                    time.sleep(1)
            rows = []
            for name, path, has_map in pages:
                settle_seconds(browser, base + path, has_map, viewport, args.interactive)  # warm
                times = [
                    settle_seconds(browser, base + path, has_map, viewport, args.interactive)
                    for _ in range(args.repeat)
                ]
                rows.append((name, path, statistics.median(times), max(times)))
                print(f"{name:45} {statistics.median(times):6.2f} s", flush=True)
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=20)
    load = os.getloadavg()
    size = f"{viewport['width']}x{viewport['height']}"
    print()
    drawn = ", maps made interactive" if args.interactive else ""
    print(
        f"Browser settle times, {args.data_dir} , {size}{drawn}, median of {args.repeat}"
        " (warm server)"
    )
    print(f"Machine: {machine()}; load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    print()
    print("| page | path | median s | max s |")
    print("| --- | --- | ---: | ---: |")
    for name, path, median, worst in rows:
        print(f"| {name} | `{path}` | {median:.2f} | {worst:.2f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
