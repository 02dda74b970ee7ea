# Sourced by scripts/serve and scripts/test: defines `harken_venv [EXTRAS]`, which makes
# .venv with Python >= 3.12 and installs Harken into it from this checkout (again whenever
# pyproject.toml changes). A function, so its arguments are its own: sourcing a file without
# arguments hands it the caller's ("$@" of `scripts/serve --port 8123`), which pip once read
# as an extra named "--port".
# Usage: . scripts/_venv.sh; harken_venv [extras]
set -euo pipefail

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

harken_venv() {
  local extras="${1:-}" python stamp
  case "$extras" in
    *[!a-z0-9,_-]* | -*)
      echo "harken: no such set of extras: '$extras'." >&2
      return 2
      ;;
  esac
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
}
