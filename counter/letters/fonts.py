"""The letter font: one embedded, subsetted TrueType face, and the coverage guard.

BIZ UDゴシック 1.05 (SIL OFL 1.1, licence in ``fonts/OFL.txt``) is shipped unmodified
in ``fonts/`` so every machine renders the same letter
(docs/reference/letters-design.md §1, §2). It is a
universal-design face, easy to read for elderly residents.

reportlab re-subsets the font for every document and silently prints a box for a
character the font lacks (docs/reference/letters-design.md §3.1). This module therefore

* checks every character before rendering (:func:`printable_or_raise`), naming the
  first unprintable one and suggesting the substitute character (代替文字);
* registers the face once per process and caches everything that does not depend
  on the letter: per-glyph outline data, the subset streams of the letter's fixed
  text (:meth:`LetterFont.preseed`), compressed once and reused by every document.

The embedded subsets carry the glyph outlines without TrueType hinting programs
(fpgm, prep, cvt, glyph instructions) and without the name table: PDF viewers and
printers rasterise at print resolution where hints do nothing useful, and a letter
is about a quarter smaller. The font file itself is never modified.
"""

from __future__ import annotations

import functools
import hashlib
import unicodedata
import zlib
from pathlib import Path
from struct import pack, unpack
from typing import Any
from weakref import WeakKeyDictionary

from django.utils.translation import gettext_lazy as _
from reportlab.pdfbase import pdfdoc, pdfmetrics
from reportlab.pdfbase.ttfonts import (
    SUBSETN,
    TTEncoding,
    TTFont,
    TTFontFace,
    TTFontMaker,
    makeToUnicodeCMap,
)

from counter.errors import ApplicationError

FONT_DIR = Path(__file__).resolve().parent / "fonts"
FONT_FILE = FONT_DIR / "BIZUDGothic-Regular.ttf"
FONT_LICENCE = FONT_DIR / "OFL.txt"
# Pinned: a changed font file changes how every letter breaks its lines.
FONT_SHA256 = "1e190f86ee44b54e999a02c3cd34c4fd4805aa1e9b08849332c3b573c8c869fc"
FONT_NAME = "BIZUDGothic"
SMOKE_TEST = "〒令和～髙﨑様"

_GF_MORE_COMPONENTS = 0x0020
_GF_ARG_1_AND_2_ARE_WORDS = 0x0001
_GF_WE_HAVE_A_SCALE = 0x0008
_GF_WE_HAVE_AN_X_AND_Y_SCALE = 0x0040
_GF_WE_HAVE_A_TWO_BY_TWO = 0x0080
_GF_WE_HAVE_INSTRUCTIONS = 0x0100


def _strip_instructions(data: bytes) -> bytes:
    """One glyph's outline without its TrueType hinting instructions."""
    if len(data) < 10:
        return data
    contours = unpack(">h", data[:2])[0]
    if contours >= 0:
        at = 10 + 2 * contours
        length = unpack(">H", data[at : at + 2])[0]
        return data[:at] + b"\0\0" + data[at + 2 + length :]
    out = bytearray(data)
    at, flags = 10, _GF_MORE_COMPONENTS
    while flags & _GF_MORE_COMPONENTS:
        flags = unpack(">H", data[at : at + 2])[0]
        out[at : at + 2] = pack(">H", flags & ~_GF_WE_HAVE_INSTRUCTIONS)
        at += 4 + (4 if flags & _GF_ARG_1_AND_2_ARE_WORDS else 2)
        if flags & _GF_WE_HAVE_A_SCALE:
            at += 2
        elif flags & _GF_WE_HAVE_AN_X_AND_Y_SCALE:
            at += 4
        elif flags & _GF_WE_HAVE_A_TWO_BY_TWO:
            at += 8
    return bytes(out[:at])


def _components(data: bytes) -> list[tuple[int, int]]:
    """(offset of the glyph index, glyph index) of each component of a composite."""
    found, at, flags = [], 10, _GF_MORE_COMPONENTS
    while flags & _GF_MORE_COMPONENTS:
        flags, glyph = unpack(">HH", data[at : at + 4])
        found.append((at + 2, glyph))
        at += 4 + (4 if flags & _GF_ARG_1_AND_2_ARE_WORDS else 2)
        if flags & _GF_WE_HAVE_A_SCALE:
            at += 2
        elif flags & _GF_WE_HAVE_AN_X_AND_Y_SCALE:
            at += 4
        elif flags & _GF_WE_HAVE_A_TWO_BY_TWO:
            at += 8
    return found


class _LetterFace(TTFontFace):
    """The parsed face with a faster, unhinted, memoised subsetter."""

    def __init__(self, filename: str) -> None:
        super().__init__(filename)
        self._glyf = self.get_table("glyf")
        self._glyph_cache: dict[int, bytes] = {}
        self._stream_cache: dict[tuple[int, ...], tuple[bytes, int]] = {}

    def _glyph(self, index: int) -> bytes:
        data = self._glyph_cache.get(index)
        if data is None:
            start, end = self.glyphPos[index], self.glyphPos[index + 1]
            data = _strip_instructions(self._glyf[start:end])
            self._glyph_cache[index] = data
        return data

    def makeSubset(self, subset: list[int]) -> bytes:  # noqa: N802 (reportlab API)
        glyph_map = [0]  # new index -> original index
        glyph_set = {0: 0}  # original index -> new index
        code_to_glyph = {}
        char_to_glyph = self.charToGlyph
        for code in subset:
            original = char_to_glyph.get(code, 0)
            if original not in glyph_set:
                glyph_set[original] = len(glyph_map)
                glyph_map.append(original)
            code_to_glyph[code] = glyph_set[original]
        n = 0
        while n < len(glyph_map):  # pull in the parts of composite glyphs
            data = self._glyph(glyph_map[n])
            n += 1
            if len(data) > 2 and unpack(">h", data[:2])[0] < 0:
                for _at, part in _components(data):
                    if part not in glyph_set:
                        glyph_set[part] = len(glyph_map)
                        glyph_map.append(part)

        output = TTFontMaker()
        output.add("OS/2", self.get_table("OS/2"))
        output.add(
            "post", b"\x00\x03\x00\x00" + self.get_table("post")[4:16] + b"\0" * 16
        )
        hmtx: list[int] = []
        for original in glyph_map:
            advance, lsb = self.hmetrics[original]
            hmtx += [int(advance), int(lsb)]
        output.add("hmtx", pack(f">{len(hmtx)}H", *hmtx))
        hhea = bytearray(self.get_table("hhea"))
        hhea[34:36] = pack(">H", len(glyph_map))
        output.add("hhea", bytes(hhea))
        maxp = bytearray(self.get_table("maxp"))
        maxp[4:6] = pack(">H", len(glyph_map))
        output.add("maxp", bytes(maxp))
        cmap = [0, 1, 1, 0, 0, 12, 6, 10 + len(subset) * 2, 0, 0, len(subset)]
        cmap += [code_to_glyph[code] for code in subset]
        output.add("cmap", pack(f">{len(cmap)}H", *cmap))

        chunks, offsets, pos = [], [], 0
        for original in glyph_map:
            offsets.append(pos)
            data = self._glyph(original)
            if len(data) > 2 and unpack(">h", data[:2])[0] < 0:
                patched = bytearray(data)
                for at, part in _components(data):
                    patched[at : at + 2] = pack(">H", glyph_set[part])
                data = bytes(patched)
            padding = -len(data) % 4
            chunks.append(data + b"\0" * padding)
            pos += len(data) + padding
        offsets.append(pos)
        output.add("glyf", b"".join(chunks))
        long_offsets = pos >= 0x20000
        if long_offsets:
            output.add("loca", pack(f">{len(offsets)}L", *offsets))
        else:
            output.add("loca", pack(f">{len(offsets)}H", *(o >> 1 for o in offsets)))
        head = bytearray(self.get_table("head"))
        head[50:52] = pack(">H", int(long_offsets))
        output.add("head", bytes(head))
        return output.makeStream()

    def font_file_stream(self, subset: list[int]) -> pdfdoc.PDFStream:
        """The FontFile2 stream of a subset, compressed once per glyph list."""
        key = tuple(subset)
        cached = self._stream_cache.get(key)
        if cached is None:
            content = self.makeSubset(subset)
            cached = (zlib.compress(content, 9), len(content))
            if len(self._stream_cache) > 256:
                self._stream_cache.clear()
            self._stream_cache[key] = cached
        return _flate_stream(cached[0], Length1=cached[1])


def _flate_stream(compressed: bytes, **entries: Any) -> pdfdoc.PDFStream:
    """A stream object (one per document) around already-compressed bytes.

    reportlab applies no filter when the dictionary names one already.
    """
    stream = pdfdoc.PDFStream()
    stream.content = compressed
    stream.dictionary["Filter"] = pdfdoc.PDFArray([pdfdoc.PDFName("FlateDecode")])
    for key, value in entries.items():
        stream.dictionary[key] = value
    return stream


class LetterFont(TTFont):
    """A TTFont whose fixed-text subsets are built once per process."""

    def __init__(self, name: str, filename: str) -> None:  # noqa: D107
        self.fontName = name
        self.face = _LetterFace(filename)
        self.encoding = TTEncoding()
        self.state: WeakKeyDictionary[Any, Any] = WeakKeyDictionary()
        self._asciiReadable = 0
        self.shapable = False
        self._pieces: dict[tuple[int, tuple[int, ...]], tuple[Any, Any]] = {}

    def preseed(self, doc: Any, repertoire: str) -> None:
        """Give the fixed text the first subsets of ``doc``, in a fixed order.

        Variable text (names, addresses) then starts a fresh subset, so the fixed
        subsets are identical in every letter and their streams come from cache.
        """
        state = self.state.get(doc)
        if state is None:
            state = self.state[doc] = TTFont.State(0, self)
        self.splitString(repertoire, doc)
        state.nextCode = -(-state.nextCode // 256) * 256

    def addObjects(self, doc: Any) -> None:  # noqa: N802 (reportlab API)
        state = self.state[doc]
        state.frozen = 1
        fonts = doc.idToObject["BasicFonts"].dict
        for n, subset in enumerate(state.subsets):
            internal = self.getSubsetInternalName(n, doc)[1:]
            base = (SUBSETN(n) + b"+" + self.face.name).decode("pdfdoc")
            key = (n, tuple(subset))
            pieces = self._pieces.get(key)
            if pieces is None:
                widths = pdfdoc.PDFArray([self.face.getCharWidth(c) for c in subset])
                cmap = zlib.compress(makeToUnicodeCMap(base, subset).encode("latin-1"))
                pieces = (widths, cmap)
                if len(self._pieces) > 256:
                    self._pieces.clear()
                self._pieces[key] = pieces
            widths, cmap = pieces
            font = pdfdoc.PDFTrueTypeFont()
            font.Name = internal
            font.BaseFont = base
            font.FirstChar = 0
            font.LastChar = len(subset) - 1
            font.Widths = widths
            font.ToUnicode = doc.Reference(_flate_stream(cmap), "toUnicodeCMap:" + base)
            font_file = doc.Reference(
                self.face.font_file_stream(subset), f"fontFile:{base}"
            )
            face = self.face
            descriptor = pdfdoc.PDFDictionary(
                {
                    "Type": "/FontDescriptor",
                    "Ascent": face.ascent,
                    "CapHeight": face.capHeight,
                    "Descent": face.descent,
                    "Flags": (face.flags & ~(1 << 5)) | (1 << 2),  # symbolic
                    "FontBBox": pdfdoc.PDFArray(face.bbox),
                    "FontName": pdfdoc.PDFName(base),
                    "ItalicAngle": face.italicAngle,
                    "StemV": face.stemV,
                    "FontFile2": font_file,
                    "MissingWidth": face.defaultWidth,
                }
            )
            font.FontDescriptor = doc.Reference(descriptor, "fontDescriptor:" + base)
            doc.Reference(font, internal)
            fonts[internal] = font
        del self.state[doc]


@functools.cache
def letter_font() -> LetterFont:
    """The registered letter font; parsed once per worker process."""
    font = LetterFont(FONT_NAME, str(FONT_FILE))
    register_font_by_name(font)
    return font


def register_font_by_name(font: TTFont) -> None:
    """Register ``font`` under its own name only.

    ``pdfmetrics.registerFont`` aliases a second font of the same face to the first
    one registered, so another module registering BIZ UDGothic the plain way would
    otherwise silently take the letter font's place (or the other way round).
    """
    pdfmetrics._fonts[font.fontName] = font
    pdfmetrics.registerFontFamily(font.fontName)


def font_file_sha256() -> str:
    return hashlib.sha256(FONT_FILE.read_bytes()).hexdigest()


# ---------------------------------------------------------------- coverage guard


def _is_variation_selector(code: int) -> bool:
    return 0xFE00 <= code <= 0xFE0F or 0xE0100 <= code <= 0xE01EF


def _is_private_use(code: int) -> bool:
    return (
        0xE000 <= code <= 0xF8FF
        or 0xF0000 <= code <= 0xFFFFD
        or 0x100000 <= code <= 0x10FFFD
    )


def first_unprintable(text: str) -> str | None:
    """The first character of ``text`` the letter font cannot print, if any.

    Variation selectors (IVS) and private-use code points count as unprintable:
    reportlab would draw a box for them (docs/reference/letters-design.md §3.1).
    """
    char_to_glyph = letter_font().face.charToGlyph
    for ch in text:
        code = ord(ch)
        if ch in "\n":
            continue
        if (
            _is_variation_selector(code)
            or _is_private_use(code)
            or code not in char_to_glyph
            or unicodedata.category(ch) in {"Cc", "Cs"}
        ):
            return ch
    return None


def printable_or_raise(text: str, *, field: str) -> None:
    """Refuse a text the font cannot print, naming the character
    (docs/reference/letters-design.md §3.1)."""
    ch = first_unprintable(text)
    if ch is None:
        return
    code = f"U+{ord(ch):04X}"
    position = text.index(ch)
    if _is_variation_selector(ord(ch)):
        shown = text[max(0, position - 1) : position + 1]
        raise ApplicationError(
            "letter-variation-selector",
            _(
                "The %(field)s contains a character variant (%(char)s, %(code)s) the "
                "letter font cannot print. Register the substitute character "
                "(代替文字) for it, then render the letter again."
            )
            % {"field": FIELD_LABELS.get(field, field), "char": shown, "code": code},
            extra={"field": field, "character": shown, "code_point": code},
        )
    raise ApplicationError(
        "letter-character-not-in-font",
        _(
            "The %(field)s contains the character 「%(char)s」 (%(code)s), which the "
            "letter font cannot print. Register the substitute character (代替文字) "
            "for it, then render the letter again."
        )
        % {"field": FIELD_LABELS.get(field, field), "char": ch, "code": code},
        extra={"field": field, "character": ch, "code_point": code},
    )


FIELD_LABELS: dict[str, Any] = {
    "name": _("addressee's name"),
    "address": _("address"),
    "agent_name": _("agent's name"),
    "office": _("office details"),
    "text": _("letter text"),
}


def font_problems() -> list[str]:
    """What is wrong with the shipped font, for the Django system check and tests."""
    problems = []
    if not FONT_FILE.exists():
        return [f"font file missing: {FONT_FILE}"]
    if not FONT_LICENCE.exists():
        problems.append(f"font licence missing: {FONT_LICENCE}")
    if font_file_sha256() != FONT_SHA256:
        problems.append("font file differs from the pinned BIZ UDGothic 1.05")
    face = letter_font().face
    if "glyf" not in face.table:
        problems.append("font has no TrueType outlines")
    os2 = face.get_table("OS/2")
    fs_type = unpack(">H", os2[8:10])[0]
    if fs_type & 0x0002:
        problems.append("font forbids embedding (fsType restricted licence)")
    missing = first_unprintable(SMOKE_TEST)
    if missing:
        problems.append(f"font lacks smoke-test character {missing}")
    return problems
