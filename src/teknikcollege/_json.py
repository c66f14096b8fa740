"""Compact, key-sorted JSON text: what the hash chain hashes and the SQL backends store.

One encoder, built once: ``json.dumps`` with any option, and even
``JSONEncoder.encode``, build a new one on every call. Where CPython's C encoder is
there it is called directly; the text is the same as ``json.dumps(data, sort_keys=True,
separators=(",", ":"), ensure_ascii=False)`` gives.
"""

from __future__ import annotations

import json
import json.encoder
from collections.abc import Callable
from typing import Any

_ENCODER = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def _c_encoder() -> Callable[[Any], str] | None:
    make = getattr(json.encoder, "c_make_encoder", None)
    escape = getattr(json.encoder, "c_encode_basestring", None)
    if make is None or escape is None:  # another Python: the pure encoder
        return None
    # No circular-reference markers: stored data is built fresh from models, a tree.
    encode = make(None, _ENCODER.default, escape, None, ":", ",", True, False, True)

    def text(data: Any) -> str:
        return "".join(encode(data, 0))

    return text


compact: Callable[[Any], str] = _c_encoder() or _ENCODER.encode
"""`data` as compact JSON text with sorted keys, not escaping non-ASCII."""

quote: Callable[[str], str] = json.encoder.encode_basestring
"""A string as a JSON string, quoted as :func:`compact` quotes it."""
