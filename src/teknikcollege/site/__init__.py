"""A static HTML site of a store: status today, timelines, workflows, gap reports, history.

``teknikcollege site OUT/`` or :func:`build_site` writes it; it needs the ``site`` extra
(``pip install 'teknikcollege[site]'``, for Jinja2), nothing else: the pages carry their
stylesheet and draw their charts as inline SVG, so they work offline. See ``docs/site.md``.
"""

from __future__ import annotations

from ._build import LANGUAGES, SiteUnavailable, build_site, page_name
from ._command import register

__all__ = ["LANGUAGES", "SiteUnavailable", "build_site", "page_name", "register"]
