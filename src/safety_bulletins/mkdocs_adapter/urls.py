"""MkDocs' own rule for where a source file of the site is written and at what URL (its File
objects), as the `UrlRule` the layers below are handed: they never copy it."""

from __future__ import annotations

import functools

from mkdocs.structure.files import File

from ..sources.paths import UrlRule


@functools.lru_cache(maxsize=None)  # asked for every link of every listing; a File is made once per source
def _file_of(src_uri: str, directory_urls: bool) -> tuple[str, str]:
    file = File(src_uri, src_dir=None, dest_dir="", use_directory_urls=directory_urls)
    return file.dest_uri, file.url


def url_rule(directory_urls: bool) -> UrlRule:
    """MkDocs' rule with `use_directory_urls` on or off (the offline copy has it off)."""
    return UrlRule(directory_urls, _file_of)


def url_rules() -> tuple[UrlRule, UrlRule]:
    """Both: a site and its offline copy write the same sources by the two."""
    return url_rule(True), url_rule(False)
