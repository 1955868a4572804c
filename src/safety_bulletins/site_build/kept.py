"""What the preview keeps of one build for the next, forgotten at once when the context it was made in
changed: one small class, below both incremental.py (rows, stamps, states) and rendering.py (verdicts)."""

from __future__ import annotations


class KeptRows:
    """What the preview made of each directive or bulletin, kept between rebuilds: the listings'
    rows (outputs/render.py Renderer.kept_rows), forgotten all at once when what every row shows
    besides its directive changed (units.yml, the as-of date, the language, the URL style, the
    search engine); the text of each bulletin in its page's stamp (sitebuild.py SiteBuild._text_of);
    the catalog's replays (catalog.py Catalog); the link judge's verdicts (rendering.py KeptVerdicts).
    Whoever reads them checks that the object and what else it depends on are the same."""

    def __init__(self):
        self._context: tuple | None = None
        self._now: dict = {}

    def for_build(self, context: tuple) -> tuple[dict, dict]:
        """(the last build's rows, this build's): rows not used again are dropped with the last."""
        last = self._now if context == self._context else {}
        self._context, self._now = context, {}
        return last, self._now
