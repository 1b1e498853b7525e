"""Screenshots of the kiosk's page at phone, tablet and desktop sizes and at 200% zoom.

    python -m bench.screenshots [--out docs/kiosk]

Starts a real kiosk (`voice-triage --kiosk --web --text`) and headless Chromium, goes through one
person by touch (the invitation, a yes/no question, the number pad, a choice, the self-care advice
with the summary for reception) and one "I need help now" (the emergency advice), and saves each
screen at each size as OUT/STATE-SIZE.png. Prints the files written, the axe-core audit (WCAG 2.2
A and AA, and 7:1 contrast) of each screen, and whether it scrolls sideways at 200% or 400% zoom.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from bench.web.browser import MISSING, audit, overflows, quit_browser, start_browser, viewport, wait_for
from bench.web.kiosk import ROOT, KioskProcess
from bench.web.page import SELF_CARE, answer_by_touch, text, touch

SIZES = {
    "phone": (390, 844, 1.0),
    "tablet": (820, 1180, 1.0),
    "desktop": (1280, 800, 1.0),
    "zoom200": (640, 400, 2.0),
}
"""CSS width, height and magnification: 200% zoom is a 1280 x 800 screen magnified twice."""


class Shooter:
    def __init__(self, driver, out: Path):
        self.driver = driver
        self.out = out
        self.files: list[Path] = []
        self.audits: dict[str, int] = {}
        self.overflows: dict[str, list[str]] = {}

    def shoot(self, state: str) -> None:
        violations = audit(self.driver)
        self.audits[state] = len(violations)
        self.overflows[state] = overflows(self.driver)
        for problem in violations:
            print(f"  {state}: axe: {problem['id']}: {problem['help']}", file=sys.stderr)
        for size, (width, height, zoom) in SIZES.items():
            viewport(self.driver, width, height, zoom)
            self.driver.execute_script("window.scrollTo(0, 0);")
            path = self.out / f"{state}-{size}.png"
            self.driver.save_screenshot(str(path))
            self.files.append(path)
        self.driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})


def run(out: Path) -> Shooter:
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        config = Path(tmp) / "config.yaml"
        config.write_text("alert_command: 'true'\nadvice_hold: 120\nidle_invite_every: 600\n")
        kiosk = KioskProcess(config)
        driver = start_browser()
        try:
            with urllib.request.urlopen(kiosk.url + "texts", timeout=5) as reply:
                texts = json.load(reply)
            shooter = Shooter(driver, out)
            driver.get(kiosk.url)
            invite = kiosk.next(("idle",), 0)[1]["text"]
            wait_for(lambda: invite in text(driver), what="the invitation")
            shooter.shoot("idle")
            touch(driver, texts["buttons"]["start"]["label"])
            shots = {"ces_screen": "question", "age": "number", "duration": "choice"}

            def at_each(ask: dict) -> None:
                state = shots.pop(ask["question"], None)
                if state == "number":  # a number part typed, not yet sent
                    touch(driver, "3")
                    touch(driver, "5")
                if state is not None:
                    shooter.shoot(state)
                if state == "number":
                    touch(driver, texts["number_delete"])
                    touch(driver, texts["number_delete"])

            i, _ = answer_by_touch(driver, kiosk, texts, SELF_CARE, 0, at_each)
            wait_for(lambda: texts["summary_heading"] in text(driver), what="the summary")
            shooter.shoot("advice-self-care")
            touch(driver, texts["done"])
            i, _ = kiosk.next(("idle",), i)
            wait_for(lambda: invite in text(driver), what="the invitation")
            touch(driver, texts["buttons"]["help_now"]["label"])
            i, _ = kiosk.next(("alert",), i)
            wait_for(lambda: driver.find_element("id", "alert").text, what="the staff alert")
            shooter.shoot("advice-emergency")
            touch(driver, texts["done"])
            kiosk.next(("idle",), i)
            return shooter
        finally:
            quit_browser(driver)
            kiosk.stop()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.screenshots", description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "kiosk", help="folder for the PNG files")
    args = parser.parse_args(argv)
    if MISSING:
        print(f"bench.screenshots: {MISSING}", file=sys.stderr)
        return 2
    started = time.monotonic()
    shooter = run(args.out)
    for path in shooter.files:
        print(path.relative_to(ROOT) if path.is_relative_to(ROOT) else path)
    print("axe-core violations (WCAG 2.2 A/AA and 7:1 contrast) per screen: "
          + ", ".join(f"{state} {count}" for state, count in shooter.audits.items()))
    print("sideways scrolling at 200% / 400% zoom: " + ", ".join(
        f"{state} {' '.join(zooms) or 'none'}" for state, zooms in shooter.overflows.items()))
    print(f"{len(shooter.files)} screenshots in {time.monotonic() - started:.1f} s")
    return 0 if not any(shooter.audits.values()) and not any(shooter.overflows.values()) else 1


if __name__ == "__main__":
    raise SystemExit(main())
