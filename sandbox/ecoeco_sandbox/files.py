"""Files that other processes read while the sandbox writes them."""

import os


def write_whole(path, text):
    """Write ``text`` to ``path`` so that a reader sees the old file or the new one, never a part (a file beside it,
    renamed over it)."""
    partial = path.with_name(path.name + ".partial")
    partial.write_text(text)
    os.replace(partial, path)
