"""`paused_gc`: the cyclic garbage collector paused while a process builds what it keeps."""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator


@contextlib.contextmanager
def paused_gc() -> Iterator[None]:
    """Pause the cyclic garbage collector for a bulk load (restored after, even on error).

    Loading builds hundreds of thousands of small acyclic objects that all stay alive; the
    collector would rescan them again and again for nothing (about a third of the load time
    of a full bundle). Importing modules is the same: classes, functions and constants that
    live as long as the process. Reference counting still frees everything as usual meanwhile.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        # What was built survives, so it goes straight to the oldest generation: turning the
        # collector back on would otherwise scan all of it at the next allocation (about a
        # tenth of `kiosk flows check`). Freezing empties the young generations; unfreezing
        # puts everything in the oldest, scanned only at its own (rare) full collections.
        gc.freeze()
        gc.unfreeze()
        if was_enabled:
            gc.enable()
