"""Puts the page beside a kiosk: the merged answer port, the page's view of the events, the server."""

from __future__ import annotations

import sys
from dataclasses import dataclass

from ...dialog.events import Events
from ...ports import Listener
from ...triage.model import Content, Region
from .answers import MergedListener
from .server import PageServer
from .texts import load_page_texts
from .view import PageView


@dataclass
class KioskPage:
    """The page of one kiosk run: give `listener` and `view` to the Kiosk, `close` at the end."""

    listener: MergedListener
    view: PageView
    server: PageServer

    def close(self) -> None:
        self.server.stop()


def open_page(content: Content, region: Region, listener: Listener, events: Events, host: str, port: int,
              secret: str | None = None, announce=sys.stderr) -> KioskPage:
    """Serve the page (ConfigError when it cannot listen) and say where on `announce`."""
    texts = load_page_texts(content.folder, region)
    view = PageView(content, region, texts)
    merged = MergedListener(listener)
    server = PageServer(view, merged, host, port, secret)
    server.start()
    events.listeners.append(view)
    if announce is not None:
        shown = server.address if not secret else server.address.replace(secret, "<web_secret>")
        announce.write(f"voice-triage: kiosk page at {shown}\n")
        announce.flush()
    return KioskPage(merged, view, server)
