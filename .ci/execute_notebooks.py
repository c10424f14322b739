"""Re-execute chapters in place so their stored outputs are current.

Usage: .venv/bin/python .ci/execute_notebooks.py chapters/01-*.ipynb ...
(`make execute` runs it on every chapter). Run it after changing a chapter or
the library, then commit the notebooks: strict nbval compares against them.
"""

import pathlib
import sys

import nbformat
from nbclient import NotebookClient


def execute(path):
    path = pathlib.Path(path)
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(
        nb, timeout=900, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}
    )
    client.execute()
    for cell in nb.cells:  # keep diffs small and stable
        cell.get("metadata", {}).pop("execution", None)
    nb.metadata.pop("widgets", None)
    nbformat.write(nb, path)
    print(f"executed {path}")


if __name__ == "__main__":
    for arg in sys.argv[1:]:
        execute(arg)
