#!/usr/bin/env bash
# Prints the buf input that `make breaking` compares the contracts with:
# - on a branch other than main: main's last commit;
# - on main with uncommitted changes: the last commit;
# - on main with a clean tree (as in CI): the commit before it.
# Prints nothing when there is no earlier commit.
set -euo pipefail
branch=$(git rev-parse --abbrev-ref HEAD 2>/dev/null || echo "")
if [ "$branch" != "main" ] && git rev-parse -q --verify main >/dev/null; then
  echo ".git#branch=main"
elif [ -n "$(git status --porcelain -- proto 2>/dev/null)" ] && git rev-parse -q --verify HEAD >/dev/null; then
  echo ".git#ref=HEAD"
elif git rev-parse -q --verify HEAD~1 >/dev/null; then
  echo ".git#ref=HEAD~1"
fi
