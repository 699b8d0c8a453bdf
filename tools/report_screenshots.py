"""Look at the report as a reader does: screenshots in headless Chromium, and no sideways scroll.

    python tools/report_screenshots.py ee449-out/report.html [--out DIR] [--widths 1400 1280]

For each width it writes `DIR/report-<width>.png` (the top `--height` pixels of the page) and
checks that the page does not scroll sideways: `document.documentElement.scrollWidth` must not
exceed the window's width (a wide table scrolls inside its own box instead). Exit status 1
names each width that scrolls; 2 when no Chromium is found (Debian: `apt-get install chromium`).
The check runs a copy of the page with one small script added (the report itself has none).
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--virtual-time-budget=5000")
# After layout and images: record the page's width and the window's in an attribute --dump-dom prints.
PROBE = (
    "<script>window.addEventListener('load', function () { document.body.setAttribute('data-widths', "
    "document.documentElement.scrollWidth + ' ' + window.innerWidth); });</script>"
)


def find_browser() -> str | None:
    return next((path for name in BROWSERS if (path := shutil.which(name))), None)


def widths_of(browser: str, page: Path, width: int, height: int) -> tuple[int, int]:
    """(scrollWidth, innerWidth) of `page` in a `width` x `height` window."""
    with tempfile.TemporaryDirectory() as folder:
        probe = Path(folder) / "probe.html"
        probe.write_text(
            page.read_text(encoding="utf-8").replace("</body>", PROBE + "</body>"), encoding="utf-8"
        )
        dom = subprocess.run(
            [browser, *FLAGS, f"--window-size={width},{height}", "--dump-dom", probe.as_uri()],
            capture_output=True,
            text=True,
            timeout=120,
        ).stdout
    found = re.search(r'data-widths="(\d+) (\d+)"', dom)
    if not found:
        raise RuntimeError(
            f"could not measure the page at {width} px (Chromium printed {len(dom)} characters)"
        )
    return int(found.group(1)), int(found.group(2))


def screenshot(browser: str, page: Path, target: Path, width: int, height: int) -> Path:
    subprocess.run(
        [browser, *FLAGS, f"--window-size={width},{height}", f"--screenshot={target}", page.as_uri()],
        capture_output=True,
        timeout=120,
        check=True,
    )
    return target


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("report", type=Path, help="the report.html to look at")
    parser.add_argument("--out", type=Path, default=Path("screenshots"), help="folder for the PNGs")
    parser.add_argument("--widths", type=int, nargs="+", default=[1400, 1280], help="window widths in px")
    parser.add_argument("--height", type=int, default=2400, help="window height in px (the screenshot's)")
    args = parser.parse_args(argv)
    browser = find_browser()
    if browser is None:
        print("no Chromium found (apt-get install chromium)", file=sys.stderr)
        return 2
    page = args.report.resolve()
    args.out.mkdir(parents=True, exist_ok=True)
    scrolling = []
    for width in args.widths:
        scroll, inner = widths_of(browser, page, width, args.height)
        shot = screenshot(browser, page, args.out / f"report-{width}.png", width, args.height)
        ok = scroll <= inner
        print(
            f"{width} px: page {scroll} px wide in a {inner} px window: {'ok' if ok else 'SCROLLS SIDEWAYS'}; {shot}"
        )
        if not ok:
            scrolling.append(width)
    if scrolling:
        print(f"the report scrolls sideways at {', '.join(map(str, scrolling))} px", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
