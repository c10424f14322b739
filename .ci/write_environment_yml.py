"""Write environment.yml (conda view) from requirements.lock (pip pins).

Run by `make lock`; tests/test_environment.py checks the two agree.
"""

import pathlib

root = pathlib.Path(__file__).resolve().parent.parent
pins = [
    line.strip()
    for line in (root / "requirements.lock").read_text().splitlines()
    if line.strip() and not line.startswith("#")
]
lines = [
    "# Conda view of requirements.lock (the same pins); regenerate with `make lock`.",
    "name: gradients-and-mixtures",
    "channels:",
    "  - conda-forge",
    "dependencies:",
    "  - python=3.12",
    "  - pip",
    "  - pip:",
    *[f"      - {pin}" for pin in pins],
    "      - -e .",
    "",
]
(root / "environment.yml").write_text("\n".join(lines))
