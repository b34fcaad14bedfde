#!/usr/bin/env bash
# check-format.sh REPO: every C++ source and header in git (*.cc, *.h) is formatted as
# the repository's .clang-format says (Debian 12's clang-format 14, which
# scripts/lib/deps.sh installs). Prints each file that differs, with the fix, and fails.
set -euo pipefail
repo=${1:?usage: check-format.sh REPO}
cd "$repo"
command -v clang-format >/dev/null || { echo "FAIL: no clang-format (scripts/lib/deps.sh installs it)"; exit 1; }
[[ -f .clang-format ]] || { echo "FAIL: no .clang-format in $repo"; exit 1; }
mapfile -t files < <(git ls-files '*.cc' '*.h')
((${#files[@]} > 0)) || { echo "FAIL: no sources found through git ls-files"; exit 1; }
bad=0
for f in "${files[@]}"; do
  if ! clang-format --dry-run --Werror "$f" >/dev/null 2>&1; then
    echo "not formatted: $f (clang-format -i $f)"
    bad=$((bad + 1))
  fi
done
if ((bad)); then
  echo "FAIL: $bad of ${#files[@]} files differ from .clang-format"
  exit 1
fi
echo "ok: ${#files[@]} files match .clang-format ($(clang-format --version | head -n1))"
