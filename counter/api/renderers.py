"""The API's JSON, written by orjson (issue 14; ADR 0039,
docs/adr/0039-api-json-and-times-read-faster.md).

DRF's renderer runs the standard library's encoder with DRF's ``default`` for
what JSON has no type for. A page of twenty cases (14.5 KB) took it about
110 µs; orjson writes the same bytes in about 7. The answer is the same byte
for byte (``tests/api/test_api_json_is_drfs_byte_for_byte.py``): times, dates,
lazy texts and the rest still go through DRF's ``default``, U+2028 and U+2029
are still escaped, and anything orjson refuses (a key that is not a string, an
integer past 64 bits, a value ``default`` cannot write) is left to DRF's
renderer, which answers or fails as it always did. Two differences, in numbers
only, and the API has no field of either: a float in exponent form is written
``1e-7`` where DRF writes ``1e-07`` (the same number), and a NaN or an infinity
comes out ``null`` where DRF refuses it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import orjson
from rest_framework import renderers

#: Times, dates and dataclasses go to DRF's ``default``, which writes them as
#: the API always has (orjson's own forms differ).
_OPTIONS = orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS
_LINE_SEPARATOR = "\u2028".encode()
_PARAGRAPH_SEPARATOR = "\u2029".encode()
#: The first two bytes both separators start with in UTF-8.
_SEPARATOR_LEAD = _LINE_SEPARATOR[:2]


class JSONRenderer(renderers.JSONRenderer):
    """DRF's JSON renderer, compact and in UTF-8 (the API's settings), written
    by orjson; indented answers and other settings are DRF's own."""

    def render(
        self,
        data: Any,
        accepted_media_type: str | None = None,
        renderer_context: Mapping[str, Any] | None = None,
    ) -> bytes:
        if (
            data is None
            or self.ensure_ascii
            or not self.compact
            or self.get_indent(accepted_media_type or "", renderer_context or {})
            is not None
        ):
            return bytes(super().render(data, accepted_media_type, renderer_context))
        try:
            written = orjson.dumps(
                data, default=self.encoder_class().default, option=_OPTIONS
            )
        except orjson.JSONEncodeError:
            return bytes(super().render(data, accepted_media_type, renderer_context))
        if _SEPARATOR_LEAD in written:
            written = written.replace(_LINE_SEPARATOR, b"\\u2028").replace(
                _PARAGRAPH_SEPARATOR, b"\\u2029"
            )
        return written
