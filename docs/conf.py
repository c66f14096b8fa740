"""Sphinx configuration: MyST Markdown, furo, Mermaid diagrams, API from docstrings."""

from __future__ import annotations

from importlib.metadata import version as _version

project = "teknikcollege"
author = "The teknikcollege developers"
copyright = "2026, the teknikcollege developers"
release = _version("teknikcollege")

extensions = [
    "myst_parser",
    "sphinx.ext.autodoc",
    "sphinx.ext.napoleon",
    "sphinxcontrib.mermaid",
]
source_suffix = {".md": "markdown"}
myst_enable_extensions = ["colon_fence", "deflist"]
myst_fence_as_directive = ["mermaid"]
myst_heading_anchors = 3
html_theme = "furo"
html_title = "teknikcollege"
exclude_patterns = ["_build", "conftest.py", "README.md", "performance-notes.md"]
autodoc_member_order = "bysource"
autodoc_typehints = "description"
autodoc_default_options = {"members": True, "undoc-members": False}
nitpicky = False
suppress_warnings = ["myst.xref_missing"]

# Mermaid is drawn by a copy shipped in _static, never from a CDN: the built site works
# offline and on an intranet. mermaid_version = "" turns the CDN default off; the local
# module (mermaid-local.mjs) loads mermaid.min.js, 11.12.1, from beside itself.
html_static_path = ["_static"]
mermaid_version = ""
mermaid_use_local = "mermaid/mermaid-local.mjs"
