#!/usr/bin/env bash
# `make test-py`: the library's tests once more, on the newest Python other than the book's 3.12.
#
# The wheel the book ships (_ext/mixgrad_wheel.py builds the same one into _build/html/_static) is
# installed into a fresh virtual environment of that Python, with its dependencies from PyPI
# (constrained to the lock's versions where the lock has them), plus pytest and hypothesis. The
# tests then import mixgrad from that install, not from lib/. Tests needing PyMC/PyTensor/nbformat
# skip with the reason. Usage: .ci/test_other_python.sh /path/to/python3.X
set -euo pipefail
cd "$(dirname "$0")/.."
other="${1:-}"
if [ -z "$other" ]; then
  echo "test-py: no Python other than 3.12 found (looked for python3.14, python3.13 on PATH and under ~/.pyenv); skipped"
  exit 0
fi
version="$("$other" -c 'import sys; print(".".join(map(str, sys.version_info[:3])))')"
echo "== library tests on Python $version ($other)"
wheel="$(.venv/bin/python -c 'import sys; sys.path.insert(0, "_ext"); import mixgrad_wheel as w; print(w.build_wheel("_build/wheel"))')"
venv="_build/venv-py$version"
if [ ! -x "$venv/bin/python" ]; then
  "$other" -m venv "$venv"
  "$venv/bin/python" -m pip install --quiet --upgrade pip
fi
# Only the lock lines for packages this environment installs; versions without a wheel for this
# Python would fail, so a constraint that cannot be met is dropped and the step says so.
constraints="_build/constraints-py$version.txt"
grep -iE '^(numpy|scipy|matplotlib|scikit-learn|contourpy|cycler|fonttools|kiwisolver|packaging|pillow|pyparsing|python-dateutil|six|joblib|threadpoolctl|pytest|hypothesis|iniconfig|pluggy|pygments|sortedcontainers|attrs)==' requirements.lock > "$constraints"
if ! "$venv/bin/python" -m pip install --quiet --force-reinstall --no-deps "$wheel" \
  || ! "$venv/bin/python" -m pip install --quiet "$wheel" pytest hypothesis -c "$constraints"; then
  echo "test-py: the lock's versions do not install on Python $version; trying the newest releases"
  "$venv/bin/python" -m pip install --quiet "$wheel" pytest hypothesis
fi
"$venv/bin/python" -m pip list --format=freeze 2>/dev/null | grep -iE '^(mixgrad|numpy|scipy|matplotlib|scikit-learn)==' | tr '\n' ' '; echo
# -p no:cacheprovider: nothing written into the work tree; --rootdir: pyproject's pytest settings.
log="_build/test-py$version.log"
set +e
"$venv/bin/python" -m pytest tests -q -p no:cacheprovider --ignore=tests/browser -r s --no-header \
  > "$log" 2>&1
status=$?
set -e
grep -E '^SKIPPED|passed|failed|error' "$log" | tail -n 25
[ "$status" -eq 0 ] || tail -n 60 "$log"
echo "== library tests on Python $version: $([ "$status" -eq 0 ] && echo passed || echo FAILED) (log: $log)"
exit "$status"
