"""Take docs/screenshot.png: the web page after analysing the seed article, in headless Chromium.

    python scripts/screenshot.py [--text ../shared/examples/seed-article.txt] [--out docs/screenshot.png]

Needs the serve and test extras and Debian's chromium + chromium-driver; runs the service in-process on loopback.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.service.browser import (  # noqa: E402
    analyse_in_page,
    ask_about_passage,
    browser_missing,
    chromium,
    live_server,
    select_passage,
)


def main() -> int:
    """Serve, analyse in the page, save the screenshot."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--text", default=str(REPO.parent / "shared" / "examples" / "seed-article.txt"))
    parser.add_argument("--out", default=str(REPO / "docs" / "screenshot.png"))
    parser.add_argument("--passage", default="so-called ‘stabilization programs’", help="passage to ask about")
    parser.add_argument("--width", type=int, default=1280)
    parser.add_argument("--height", type=int, default=1500)
    args = parser.parse_args()
    missing = browser_missing()
    if missing:
        print(f"screenshot: {missing}", file=sys.stderr)
        return 2
    from veracity.service.app import create_app

    text = Path(args.text).read_text(encoding="utf-8")
    with live_server(create_app()) as base, chromium(args.width, args.height) as driver:
        analyse_in_page(driver, base, text)
        if args.passage and args.passage in text:  # show the passage question answered too
            start = text.index(args.passage)
            select_passage(driver, start, start + len(args.passage))
            ask_about_passage(driver)
        driver.execute_script("document.getElementById('results').scrollIntoView();")
        driver.save_screenshot(args.out)
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
