"""The machine-readable register: directives.json."""

from __future__ import annotations

from . import site
from ..catalog import Catalog


def directives_json(catalog: Catalog, directory_urls: bool = True) -> dict:
    """Every published directive with its bulletin; URLs are relative to the site's root."""
    records = []
    for d in catalog.directives:
        bulletin_url = site.url_for(site.bulletin_src(d.bulletin), directory_urls)
        records.append({
            "id": d.id,
            "title": d.title,
            "text": d.text,
            "units": list(d.units),
            "support": list(d.support),
            "owner": d.owner or None,
            "deadline": d.deadline.isoformat() if d.deadline else None,
            "status": d.status,
            "bucket": catalog.bucket_of(d),
            "grade": d.grade,
            "url": f"{bulletin_url}#{d.id}",
            "bulletin": {
                "title": d.bulletin.title,
                "date": d.bulletin.date.isoformat(),
                "type": d.bulletin.type,
                "url": bulletin_url,
            },
        })
    return {"as_of": catalog.as_of.isoformat(), "directives": records}
