"""Take screenshots of pages of a running server (headless Debian chromium), for a human look.

Usage: python scripts/screenshots.py BASE_URL OUT_DIR [path ...]
Set LOGIN_EMAIL and LOGIN_PASSWORD to sign in first.
"""

import os
import shutil
import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def main() -> None:
    base, out, *paths = sys.argv[1:]
    out_dir = Path(out)
    out_dir.mkdir(parents=True, exist_ok=True)
    width = int(os.environ.get("WIDTH", "1280"))
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=shutil.which("chromium"), args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": width, "height": 900})
        if os.environ.get("LOGIN_EMAIL"):
            page.goto(f"{base}/accounts/login/")
            page.fill("input[name=login]", os.environ["LOGIN_EMAIL"])
            page.fill("input[name=password]", os.environ["LOGIN_PASSWORD"])
            page.click("form button[type=submit]")
            page.wait_for_load_state()
        for path in paths or ["/"]:
            page.goto(f"{base}{path}")
            name = path.strip("/").replace("/", "_").replace("?", "_").replace("=", "-").replace("&", "_") or "home"
            page.screenshot(path=str(out_dir / f"{name}-{width}.png"), full_page=True)
            print(out_dir / f"{name}-{width}.png")
        browser.close()


if __name__ == "__main__":
    main()
