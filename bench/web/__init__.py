"""Driving the kiosk's page in a real browser: a kiosk process, headless Chromium, the audit.

Used by `python -m bench.screenshots` and by tests/test_web_kiosk.py.
"""
