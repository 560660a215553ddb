"""Screenshots of the editors' desk for people to look at: the inbox, a story page and the brief editor, at a
laptop's 1366 px and a phone's 390 px, on the demo's data (`make screens`; not part of `make test`).

Starts `mobrief serve` on the demo database (`make demo` makes it), signs in as the demo editor in Debian's
chromium (Playwright, `executable_path`), and writes PNGs into benchmarks/screens/. Prints each page's width
so a sideways scroll shows as a number too.

Usage: python benchmarks/screens.py [--db sqlite:///demo-output/demo.db] [--out benchmarks/screens]
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

CHROMIUM = "/usr/bin/chromium"
EDITOR = ("editor@demo.example", "demo-editor-password")
WIDTHS = ((1366, 768), (390, 844))


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait(base: str, server: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while True:
        try:
            if httpx.get(base + "/healthz", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        if time.monotonic() > deadline or server.poll() is not None:
            raise SystemExit("mobrief serve did not start")
        time.sleep(0.3)


def shoot(base: str, out: Path) -> None:
    from playwright.sync_api import sync_playwright

    out.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--headless", "--no-sandbox"])
        try:
            for width, height in WIDTHS:
                context = browser.new_context(viewport={"width": width, "height": height})
                page = context.new_page()
                page.goto(base + "/login")
                page.fill("input[name=email]", EDITOR[0])
                page.fill("input[name=password]", EDITOR[1])
                page.click("button[type=submit]")
                page.wait_for_url(base + "/inbox")
                stories = page.request.get(base + "/api/stories?limit=200&relevant_only=true").json()
                story = max(stories, key=lambda s: (s["item_count"], s["id"]))["id"]
                page.goto(base + "/drafts")
                draft = page.locator("ul.listing a").first.get_attribute("href")
                for name, path in (("inbox", "/inbox"), ("story", f"/stories/{story}"), ("brief-editor", draft)):
                    page.goto(base + str(path))
                    page.wait_for_load_state("networkidle")
                    target = out / f"{name}-{width}.png"
                    page.screenshot(path=str(target))
                    scroll = page.evaluate("document.documentElement.scrollWidth")
                    print(f"{target}  page width {scroll} px{'  (scrolls sideways!)' if scroll > width else ''}")
                context.close()
        finally:
            browser.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", default="sqlite:///demo-output/demo.db")
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "screens")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = args.db
        if url.startswith("sqlite:///"):  # a copy: screenshots never change the demo's data
            copy = Path(folder) / "screens.db"
            shutil.copy(url.removeprefix("sqlite:///"), copy)
            url = f"sqlite:///{copy}"
        port = _free_port()
        env = {**os.environ, "MOBRIEF_SECRET_KEY": "screens-secret-0123456789"}
        server = subprocess.Popen([sys.executable, "-m", "mobrief", "--db", url, "serve", "--port", str(port)], env=env)
        base = f"http://127.0.0.1:{port}"
        try:
            _wait(base, server)
            shoot(base, args.out)
        finally:
            server.terminate()
            server.wait(timeout=20)


if __name__ == "__main__":
    main()
