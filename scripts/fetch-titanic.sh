#!/usr/bin/env bash
# Fetch the Titanic data set (titanic3, OpenML 40945: 1309 passengers x 14 columns) used by the deck's
# Python example, into .cache/titanic/titanic3.arff at the repository root.
#
# No npm package ships it; Debian's python3-sklearn package carries it as a test fixture (licence "Public").
# We download that .deb with apt-get (no root needed for `apt-get download`), pull the one gzipped ARFF
# out of it with dpkg-deb + tar, and gunzip it. Idempotent: does nothing when the file is already there
# and looks complete. Pass --force to fetch again.
#
# Not on Debian/Ubuntu? Download the Kaggle "Titanic" train.csv and pass its path to the dtd command
# (or set DTD_TITANIC=/path/to/train.csv).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DEST_DIR="$ROOT/.cache/titanic"
DEST="$DEST_DIR/titanic3.arff"
MEMBER="./usr/lib/python3/dist-packages/sklearn/datasets/tests/data/openml/id_40945/data-v1-dl-16826755.arff.gz"
EXPECTED_ROWS=1309

say() { printf 'fetch-titanic: %s\n' "$*"; }
die() { printf 'fetch-titanic: error: %s\n' "$*" >&2; exit 1; }

# Data rows of an ARFF file: non-empty, non-comment lines after the @DATA line.
count_rows() {
  awk 'BEGIN{d=0;n=0} d && $0 !~ /^[[:space:]]*(%|$)/ {n++} tolower($0) ~ /^[[:space:]]*@data/ {d=1} END{print n}' "$1"
}

if [[ "${1:-}" != "--force" && -s "$DEST" ]]; then
  rows="$(count_rows "$DEST")"
  if [[ "$rows" == "$EXPECTED_ROWS" ]]; then
    say "already present: $DEST ($rows passengers); nothing to do (use --force to fetch again)"
    exit 0
  fi
  say "found $DEST with $rows data rows, expected $EXPECTED_ROWS: fetching again"
fi

for tool in apt-get dpkg-deb tar gunzip awk; do
  command -v "$tool" >/dev/null 2>&1 || die "'$tool' not found. This script needs a Debian-like system (apt-get, dpkg-deb).
  Otherwise download the Kaggle Titanic train.csv and pass its path (or set DTD_TITANIC=/path/to/train.csv)."
done

WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

say "downloading python3-sklearn with apt-get (into a temporary directory)"
if ! (cd "$WORK" && apt-get download python3-sklearn >"$WORK/apt.log" 2>&1); then
  say "apt-get download failed; running 'apt-get update' and retrying"
  if ! apt-get update >"$WORK/update.log" 2>&1; then
    cat "$WORK/update.log" >&2
    die "'apt-get update' failed (it needs root: try 'sudo apt-get update' and run this script again)"
  fi
  (cd "$WORK" && apt-get download python3-sklearn >"$WORK/apt.log" 2>&1) || {
    cat "$WORK/apt.log" >&2
    die "'apt-get download python3-sklearn' failed after 'apt-get update'"
  }
fi

DEB="$(find "$WORK" -maxdepth 1 -name 'python3-sklearn_*.deb' | head -n 1)"
[[ -n "$DEB" ]] || die "apt-get reported success but no python3-sklearn_*.deb is in $WORK"
say "extracting $(basename "$DEB"): ${MEMBER#./}"

dpkg-deb --fsys-tarfile "$DEB" | tar -xO "$MEMBER" >"$WORK/titanic3.arff.gz" ||
  die "the package $(basename "$DEB") does not contain $MEMBER (a different sklearn version?)"
mkdir -p "$DEST_DIR"
gunzip -c "$WORK/titanic3.arff.gz" >"$WORK/titanic3.arff" || die "could not gunzip the extracted ARFF"

rows="$(count_rows "$WORK/titanic3.arff")"
[[ "$rows" == "$EXPECTED_ROWS" ]] || die "extracted ARFF has $rows data rows, expected $EXPECTED_ROWS"
mv "$WORK/titanic3.arff" "$DEST"
say "wrote $DEST ($rows passengers, $(wc -c <"$DEST") bytes)"
