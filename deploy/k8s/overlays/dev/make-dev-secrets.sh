#!/usr/bin/env bash
# Writes fresh random development secrets into secrets/ beside this script (ignored by git), where
# the dev overlay's secretGenerator reads them. Existing files are kept, so pseudonyms and tokens
# stay stable across runs; delete secrets/ to start over (and the dev volumes with it, because
# data pseudonymised under the old key would no longer match).
set -euo pipefail
dir=$(cd "$(dirname "$0")" && pwd)/secrets
mkdir -p "$dir"
chmod 700 "$dir"
umask 077

# 32 random bytes as 64 hex characters.
random_hex() { od -An -N32 -tx1 /dev/urandom | tr -d ' \n'; }

write_once() {
  local file=$dir/$1
  if [ ! -s "$file" ]; then
    printf '%s' "$2" >"$file"
    echo "wrote $file"
  fi
}

write_once hmac-key "$(random_hex)"
write_once ingestion.token "$(random_hex)"
write_once catalogue.token "$(random_hex)"
write_once operator.token "$(random_hex)"
# The accepted tokens, one "<caller> <token>" line each; operator.token is for the omnia CLI.
if [ ! -s "$dir/tokens" ]; then
  for caller in ingestion catalogue operator; do
    printf '%s %s\n' "$caller" "$(cat "$dir/$caller.token")"
  done >"$dir/tokens"
  echo "wrote $dir/tokens"
fi
