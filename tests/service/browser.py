"""Headless Chromium for the browser test and the README screenshot: Debian's chromium + chromedriver via Selenium.

Never downloads a browser: it uses /usr/bin/chromium and /usr/bin/chromedriver (``apt-get install chromium
chromium-driver``), or $VERACITY_CHROMIUM / $VERACITY_CHROMEDRIVER.
"""

from __future__ import annotations

import os
import shutil
import socket
import tempfile
import threading
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

CHROMIUM = os.environ.get("VERACITY_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = os.environ.get("VERACITY_CHROMEDRIVER") or shutil.which("chromedriver") or "/usr/bin/chromedriver"


def browser_missing() -> str | None:
    """Why the browser test cannot run here, or None."""
    if not (os.path.exists(CHROMIUM) and os.path.exists(CHROMEDRIVER)):
        return "needs Debian chromium and chromium-driver (apt-get install chromium chromium-driver)"
    try:
        import selenium  # noqa: F401
    except ImportError:
        return "needs selenium (pip install -e '.[test]')"
    return None


@contextmanager
def chromium(width: int = 1280, height: int = 1000) -> Iterator[Any]:
    """A headless Chromium driven by Selenium, with a throw-away profile and no background networking."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    profile = tempfile.mkdtemp(prefix="veracity-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in (
        "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-extensions",
        "--disable-default-apps", f"--user-data-dir={profile}", f"--window-size={width},{height}",
    ):  # fmt: skip
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})  # CSP violations show up as SEVERE entries
    driver = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


@contextmanager
def live_server(app: Any) -> Iterator[str]:
    """Serve an ASGI app with uvicorn on a free loopback port in a thread; yields the base URL once it is ready."""
    import uvicorn

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", access_log=False))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 180
    while True:
        try:
            with urllib.request.urlopen(base + "/readyz", timeout=2) as response:
                if response.status == 200:
                    break
        except OSError:
            pass
        if time.monotonic() > deadline or not thread.is_alive():
            server.should_exit = True
            raise RuntimeError("the veracity service did not become ready")
        time.sleep(0.2)
    try:
        yield base
    finally:
        server.should_exit = True
        thread.join(timeout=30)


def analyse_in_page(driver: Any, base: str, text: str, timeout: float = 120) -> None:
    """Open the page, paste the text into the form, submit, and wait for the report."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    driver.get(base + "/")
    box = driver.find_element(By.ID, "text")
    # paste like a user would: put the text on the box's value through the clipboard-free path, then fire input
    driver.execute_script(
        "arguments[0].value = arguments[1]; arguments[0].dispatchEvent(new Event('input'));", box, text
    )
    driver.find_element(By.ID, "analyze-button").click()
    WebDriverWait(driver, timeout).until(ec.presence_of_element_located((By.ID, "results")))


_SELECT = """
const article = document.getElementById('article');
const start = arguments[0], end = arguments[1];
// walk text nodes to the code-point offsets [start, end) and select them like a user dragging the mouse
const walker = document.createTreeWalker(article, NodeFilter.SHOW_TEXT);
let pos = 0, node, range = document.createRange(), startSet = false;
while ((node = walker.nextNode())) {
  const chars = Array.from(node.data);
  if (!startSet && pos + chars.length > start) {
    range.setStart(node, chars.slice(0, start - pos).join('').length); startSet = true;
  }
  if (startSet && pos + chars.length >= end) { range.setEnd(node, chars.slice(0, end - pos).join('').length); break; }
  pos += chars.length;
}
const sel = window.getSelection(); sel.removeAllRanges(); sel.addRange(range);
article.dispatchEvent(new MouseEvent('mouseup', {bubbles: true}));
return sel.toString();
"""


def select_passage(driver: Any, start: int, end: int) -> str:
    """Select characters [start, end) of the article (str indices) as a mouse drag would; returns the selection."""
    return driver.execute_script(_SELECT, start, end)


def ask_about_passage(driver: Any, timeout: float = 60) -> str:
    """Press "Which technique?" and wait for the answer; returns its text."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    driver.find_element(By.ID, "passage-button").click()
    result = driver.find_element(By.ID, "passage-result")
    WebDriverWait(driver, timeout).until(lambda d: result.text.strip() and "Asking" not in result.text)
    return result.text
