"""The book's plot style: one palette and one set of rcParams for every figure.

Every chapter applies it in its setup cell, from :ref:`divided-differences` on.
"""

import contextlib

import matplotlib as mpl

__all__ = ["PALETTE", "book_style", "use_book_style"]

#: Colour-blind safe palette (Okabe & Ito), in the order components are drawn.
PALETTE = (
    "#0072B2",  # blue
    "#D55E00",  # vermillion
    "#009E73",  # green
    "#CC79A7",  # purple
    "#E69F00",  # orange
    "#56B4E9",  # sky blue
    "#F0E442",  # yellow
    "#000000",  # black
)

_RC = {
    "figure.figsize": (6.4, 4.0),
    "figure.dpi": 100,
    "savefig.dpi": 100,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.prop_cycle": mpl.cycler(color=PALETTE),
    "font.size": 10,
    "legend.frameon": False,
    "image.cmap": "viridis",
    # Stable SVG/PNG output: no timestamps or random ids in the files.
    "svg.hashsalt": "mixgrad",
    "path.simplify": True,
}


def use_book_style():
    """Apply the book's rcParams globally (the chapters' setup cell calls this)."""
    mpl.rcParams.update(_RC)


@contextlib.contextmanager
def book_style():
    """Context manager applying the book style temporarily."""
    with mpl.rc_context(_RC):
        yield
