# Sourced by scripts/serve and scripts/test: make .venv with Python >= 3.12 and install
# Harken into it from this checkout (again whenever pyproject.toml changes).
# Usage: . scripts/_venv.sh [extras]
set -euo pipefail
extras="${1:-}"

find_python() {
  for candidate in "${HARKEN_PYTHON:-}" python3.14 python3.13 python3.12 python3 \
      "$HOME"/.pyenv/versions/3.1[2-9]*/bin/python3 /usr/local/bin/python3.1[2-9]; do
    [ -n "$candidate" ] || continue
    command -v "$candidate" >/dev/null 2>&1 || [ -x "$candidate" ] || continue
    if "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null; then
      echo "$candidate"; return 0
    fi
  done
  echo "harken: Python 3.12 or newer is needed (Django 6 requires it); set HARKEN_PYTHON to one." >&2
  return 1
}

if [ ! -x .venv/bin/python ]; then
  python="$(find_python)"
  "$python" -m venv .venv
fi
stamp=".venv/.harken-installed${extras:+-$extras}"
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
  .venv/bin/python -m pip install --quiet --upgrade pip
  .venv/bin/python -m pip install --quiet -e ".${extras:+[$extras]}"
  touch "$stamp"
fi
