"""Extract the Simplified Chinese face of Noto Sans CJK into assets/fonts/ (run by setup.sh).

Debian's fonts-noto-cjk ships a collection whose first face is Japanese (wrong glyph forms for
门, 令, 骨, 直), and Kivy can open only the first face of a collection, so the SC face is saved
as a font of its own. It covers all CJK Unified Ideographs, Extension A and the Extension B
characters used in names, where WenQuanYi Micro Hei (the fallback) stops at the unified block.

The face is saved desubroutinized (the same outlines, written out in full; ~30 s of CPU, once):
FreeType copies a CFF font's subroutines into memory for every face it opens, and Kivy opens one
face per font size and style, so the subroutinized face cost 2.5 MB of resident memory for each
(~60 MB in a kiosk), the desubroutinized one 0.7 MB. A face extracted by an earlier version of
this script is written again.
"""

from __future__ import annotations

import sys
from pathlib import Path

COLLECTION = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")
TARGET = Path(__file__).resolve().parent.parent / "assets" / "fonts" / "NotoSansCJKsc-Regular.otf"
FACE = "Noto Sans CJK SC"


def _subroutinized(path: Path) -> bool:
    """Whether the CFF font at `path` still has subroutines (an earlier extraction)."""
    from fontTools.ttLib import TTFont

    font = TTFont(str(path), lazy=True)
    try:
        cff = font["CFF "].cff
        top = cff[cff.fontNames[0]]
        private = [fd.Private for fd in getattr(top, "FDArray", [])] or [top.Private]
        return len(cff.GlobalSubrs) > 0 or any(len(getattr(p, "Subrs", [])) for p in private)
    finally:
        font.close()


def main() -> None:
    """Write the SC face unless it is already there; exit with a message if it cannot."""
    if TARGET.exists() and not _subroutinized(TARGET):
        return
    if not COLLECTION.exists():
        sys.exit(f"extract-cjk-font: {COLLECTION} missing (apt-get install fonts-noto-cjk)")
    from fontTools.ttLib import TTCollection

    sys.stderr.write("extract-cjk-font: writing the Chinese face (about a minute, once)\n")
    collection = TTCollection(str(COLLECTION))
    for face in collection.fonts:
        if face["name"].getDebugName(1) == FACE:
            face["CFF "].cff.desubroutinize()
            TARGET.parent.mkdir(parents=True, exist_ok=True)
            partial = TARGET.with_suffix(".part")
            face.save(str(partial))
            partial.replace(TARGET)  # never leave a half-written font behind
            return
    sys.exit(f"extract-cjk-font: no '{FACE}' face in {COLLECTION}")


if __name__ == "__main__":
    main()
