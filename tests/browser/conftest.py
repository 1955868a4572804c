"""Fixtures of the browser tests live in browsing.py, beside their helpers."""

from browsing import browser, offline_site, origin, page, server, sites  # noqa: F401
