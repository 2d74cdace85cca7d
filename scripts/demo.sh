#!/usr/bin/env bash
# Set up, then show okebot's main answers on the bundled demo tenancy.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
run() {
  echo "\$ okebot $*"
  # Exit code 1 means "there are error findings", which the demo tenancy has on purpose.
  .venv/bin/okebot "$@" || [ $? -eq 1 ]
  echo
}
run clusters --source demo
run capacity --source demo
run cni --source demo
run diagnose payments-native --source demo
run digest --source demo --since 7 --chart "${TMPDIR:-/tmp}/okebot-demo-digest.png" --force
echo "(the digest's chart is in ${TMPDIR:-/tmp}/okebot-demo-digest.png)"
