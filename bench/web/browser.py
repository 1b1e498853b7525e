"""Headless Chromium from Debian's packages, driven by Selenium, with no network beyond the kiosk."""

from __future__ import annotations

import shutil
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

CHROMIUM = shutil.which("chromium")
CHROMEDRIVER = shutil.which("chromedriver")
MISSING = None if CHROMIUM and CHROMEDRIVER else (
    "needs Debian's chromium and chromium-driver (tools/setup.sh installs them)")
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-dev-shm-usage", "--lang=en")
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
"""The axe-core tags of WCAG 2.2 level A and AA."""


def start_browser(width: int = 1024, height: int = 900):
    """A new headless Chromium with a new empty profile (removed when the driver quits)."""
    from selenium import webdriver
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service

    profile = tempfile.mkdtemp(prefix="kiosk-browser-")
    options = Options()
    options.binary_location = CHROMIUM
    for flag in FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={profile}")
    options.add_argument(f"--window-size={width},{height}")
    driver = webdriver.Chrome(options=options, service=Service(CHROMEDRIVER))
    driver.profile_dir = profile
    return driver


def quit_browser(driver) -> None:
    try:
        driver.quit()
    finally:
        shutil.rmtree(driver.profile_dir, ignore_errors=True)


def wait_for(check: Callable[[], object], timeout: float = 10.0, what: str = "the page") -> object:
    """Poll `check` until it returns something true; AssertionError after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    last: BaseException | None = None
    while True:
        try:
            value = check()
            if value:
                return value
        except Exception as err:  # the page is being redrawn: an element went stale; poll again
            last = err
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}" + (f" (last error: {last})" if last else ""))
        time.sleep(0.05)


def viewport(driver, width: int, height: int, zoom: float = 1.0) -> None:
    """Show the page at `width` x `height` CSS pixels, magnified `zoom` times (200% zoom: 2)."""
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                           {"width": width, "height": height, "deviceScaleFactor": zoom, "mobile": False})


def axe_script() -> Path:
    """axe-core 4.12.1 (with the WCAG 2.1 and 2.2 rules), kept beside this module (AXE-LICENSE.md says
    why and under which licence). axe-selenium-python runs it."""
    return Path(__file__).with_name("axe.min.js")


def audit(driver, rules: list[str] | None = None) -> list[dict]:
    """axe-core's violations of WCAG 2.2 A and AA on the page as it is now (and 7:1 contrast)."""
    from axe_selenium_python import Axe

    axe = Axe(driver, script_url=str(axe_script()))
    axe.inject()
    found = []
    for only in ({"type": "tag", "values": WCAG_TAGS},
                 {"type": "rule", "values": rules or ["color-contrast-enhanced"]}):
        results = axe.run(options={"runOnly": only, "resultTypes": ["violations"]})
        found += results["violations"]
    return found


def small_targets(driver, least: int = 44) -> list[str]:
    """The visible buttons smaller than `least` by `least` CSS pixels."""
    return driver.execute_script(
        "return [...document.querySelectorAll('button')].filter(b => b.offsetParent !== null)"
        ".map(b => [b.textContent, b.getBoundingClientRect()])"
        ".filter(([t, r]) => r.width < arguments[0] || r.height < arguments[0])"
        ".map(([t, r]) => t + ' ' + Math.round(r.width) + 'x' + Math.round(r.height));", least)


def overflows(driver) -> list[str]:
    """The zooms (200%, 400% of a 1280 x 900 screen) at which the page scrolls sideways, as WCAG's
    reflow forbids; empty when the text reflows at both."""
    found = []
    try:
        for width, height in ((640, 450), (320, 225)):
            viewport(driver, width, height, zoom=1280 / width)
            if driver.execute_script(
                    "return document.documentElement.scrollWidth > document.documentElement.clientWidth;"):
                found.append(f"{1280 // width * 100}%")
    finally:
        driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
    return found
