"""Where each page of the site lives: source paths and the URLs they are served at."""

from __future__ import annotations

import posixpath

from .model import Attachment, Bulletin

UNITS_INDEX = "units/index.md"
REGISTER = "directives/index.md"
ARCHIVE_INDEX = "archive/index.md"
HOME = "index.md"
EXPORT_JSON = "directives.json"


def bulletin_src(bulletin: Bulletin) -> str:
    return f"bulletins/{bulletin.rel_path}"


def attachment_src(bulletin: Bulletin, attachment: Attachment) -> str:
    folder = posixpath.dirname(bulletin_src(bulletin))
    return posixpath.normpath(posixpath.join(folder, attachment.path))


def unit_src(unit_id: str) -> str:
    return f"units/{unit_id}.md"


def year_src(year: int) -> str:
    return f"archive/{year}.md"


def type_src(bulletin_type: str) -> str:
    return f"archive/{bulletin_type}.md"


def url_for(src_uri: str, directory_urls: bool) -> str:
    """The site-relative URL MkDocs gives a source file (the rule of mkdocs.structure.files)."""
    if not src_uri.endswith(".md"):
        return src_uri
    folder, name = posixpath.split(src_uri[: -len(".md")])
    if name in ("index", "README"):
        dest = posixpath.join(folder, "index.html")
    elif directory_urls:
        dest = posixpath.join(folder, name, "index.html")
    else:
        dest = posixpath.join(folder, name + ".html")
    if directory_urls:
        folder, name = posixpath.split(dest)
        return (folder or ".") + "/"
    return dest


def relative_url(from_url: str, to_url: str) -> str:
    """A link from the page at `from_url` to `to_url`, both site-relative, that works under any sub-path."""
    from_dir = from_url if from_url.endswith("/") else posixpath.dirname(from_url) + "/"
    from_dir = "" if from_dir in ("./", "/") else from_dir
    target = "." if to_url in ("./", "") else to_url
    rel = posixpath.relpath(target, from_dir or ".")
    return rel + "/" if to_url.endswith("/") and not rel.endswith("/") else rel


class Links:
    """Relative links from one page to the others, so the site works under any sub-path."""

    def __init__(self, here_src: str, directory_urls: bool):
        self.directory_urls = directory_urls
        self.here = url_for(here_src, directory_urls)

    def page(self, src_uri: str, anchor: str = "") -> str:
        url = relative_url(self.here, url_for(src_uri, self.directory_urls))
        return f"{url}#{anchor}" if anchor else url

    def bulletin(self, bulletin: Bulletin) -> str:
        return self.page(bulletin_src(bulletin))

    def directive(self, directive) -> str:
        return self.page(bulletin_src(directive.bulletin), directive.id)

    def attachment(self, bulletin: Bulletin, attachment: Attachment) -> str:
        return self.page(attachment_src(bulletin, attachment))

    def unit(self, unit_id: str) -> str:
        return self.page(unit_src(unit_id))

    def year(self, year: int) -> str:
        return self.page(year_src(year))
