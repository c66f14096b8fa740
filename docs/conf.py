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
