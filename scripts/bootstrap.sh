#!/usr/bin/env bash
# Create .venv with Python 3.10 (Rasa 3.6 needs exactly 3.10) and install the pinned dependencies,
# only when pyproject.toml or constraints.txt changed since the last install.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=.venv
STAMP=$VENV/.installed

find_python() {
  local candidates=("${PYTHON:-}" python3.10 "$HOME"/.pyenv/versions/3.10*/bin/python3.10
                    /usr/local/bin/python3.10 /usr/bin/python3.10)
  for c in "${candidates[@]}"; do
    [ -n "$c" ] || continue
    if "$c" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 10))' >/dev/null 2>&1; then
      echo "$c"; return 0
    fi
  done
  return 1
}

if [ ! -x "$VENV/bin/python" ]; then
  if ! PY=$(find_python); then
    cat >&2 <<'MSG'
Python 3.10 est introuvable (Rasa 3.6 ne fonctionne qu'avec Python 3.10).
Installez-le (paquet python3.10, ou « pyenv install 3.10 ») puis relancez,
ou indiquez son chemin : make run PYTHON=/chemin/vers/python3.10
MSG
    exit 1
  fi
  echo "Création de l'environnement virtuel avec $PY"
  "$PY" -m venv "$VENV"
fi

want=$(cat pyproject.toml constraints.txt | sha256sum | cut -d' ' -f1)
if [ "$(cat "$STAMP" 2>/dev/null)" != "$want" ]; then
  echo "Installation des dépendances (la première fois : plusieurs minutes)…"
  "$VENV/bin/python" -m pip install --quiet -c constraints.txt -e ".[test]"
  "$VENV/bin/python" -m pip check
  echo "$want" > "$STAMP"
fi
