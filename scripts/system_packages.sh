#!/usr/bin/env bash
# The Debian packages the tests need beside Python's, checked before `make test` runs anything:
# installed when missing if we are root, otherwise the one command to run is printed and make
# stops (a run that left out the browser or PostgreSQL tests would pass checks it never made).
set -euo pipefail

missing=()
command -v chromium >/dev/null || missing+=(chromium)                        # the browser tests
compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null || missing+=(postgresql)  # the directory on PostgreSQL
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "Installation des paquets système manquants : ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}"
  exit 0
fi
sudo=$([ "$(id -u)" = 0 ] || echo "sudo ")
cat >&2 <<MSG
Il manque des paquets système pour les tests : ${missing[*]}.
Installez-les (paquets Debian), puis relancez make test :
  ${sudo}apt-get install -y ${missing[*]}
MSG
exit 1
