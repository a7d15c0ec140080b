#!/usr/bin/env bash
# Writes fresh random development secrets into secrets/ beside this script (ignored by git), where
# the dev overlay's secretGenerator reads them. Existing keys and tokens are kept, so pseudonyms
# and tokens stay stable across runs; delete secrets/ to start over (and the dev volumes with it,
# because data pseudonymised under the old key would no longer match).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
dir=$here/secrets
mkdir -p "$dir"
chmod 700 "$dir"
umask 077

# 32 random bytes as 64 hex characters.
random_hex() { od -An -N32 -tx1 /dev/urandom | tr -d ' \n'; }

if [ ! -s "$dir/hmac-key" ]; then
  printf '%s' "$(random_hex)" >"$dir/hmac-key"
  echo "wrote $dir/hmac-key"
fi
# A token per role of deploy/auth/roles (operator.token is for the omnia CLI, producer.token for
# producer jobs) and the digests each server checks.
"$here/../../../auth/make-tokens.sh" "$dir"
