"""Extract the Simplified Chinese face of Noto Sans CJK into assets/fonts/ (run by setup.sh).

Debian's fonts-noto-cjk ships a collection whose first face is Japanese (wrong glyph forms for
门, 令, 骨, 直), and Kivy can open only the first face of a collection, so the SC face is saved
as a font of its own. It covers all CJK Unified Ideographs, Extension A and the Extension B
characters used in names, where WenQuanYi Micro Hei (the fallback) stops at the unified block.
"""

from __future__ import annotations

import sys
from pathlib import Path

COLLECTION = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")
TARGET = Path(__file__).resolve().parent.parent / "assets" / "fonts" / "NotoSansCJKsc-Regular.otf"
FACE = "Noto Sans CJK SC"


def main() -> None:
    """Write the SC face unless it is already there; exit with a message if it cannot."""
    if TARGET.exists():
        return
    if not COLLECTION.exists():
        sys.exit(f"extract-cjk-font: {COLLECTION} missing (apt-get install fonts-noto-cjk)")
    from fontTools.ttLib import TTCollection

    collection = TTCollection(str(COLLECTION))
    for face in collection.fonts:
        if face["name"].getDebugName(1) == FACE:
            TARGET.parent.mkdir(parents=True, exist_ok=True)
            partial = TARGET.with_suffix(".part")
            face.save(str(partial))
            partial.replace(TARGET)  # never leave a half-written font behind
            return
    sys.exit(f"extract-cjk-font: no '{FACE}' face in {COLLECTION}")


if __name__ == "__main__":
    main()
