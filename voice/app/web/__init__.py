"""The kiosk's page in a browser (`voice-triage --kiosk --web`): a large-text page that follows the
dialog and takes taps.

- `answers.py`: the answer port the page feeds, merged with the kiosk's listener (a tap is an
  answer on the same path as a spoken or typed one);
- `view.py`: the page's state, kept from the kiosk's event records;
- `server.py`: the web server (Starlette under uvicorn, in a thread) and its security headers;
- `texts.py`: the page's words, from content/page.yaml;
- `static/`: the page itself (plain HTML, CSS and a small script).
"""
