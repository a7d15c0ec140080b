#!/usr/bin/env bash
# The HTTP part of the `bench` target: the gateway in front of running catalogue, exporter and
# aggregation, beside Debian's nginx serving the same bytes from disk, in the same run.
# Usage: http-bench.sh BUILD_DIR STATE_DIR CATALOGUE EXPORTER AGGREGATION GATEWAY_TOKEN_FILE
#   OMNIA_BENCH_HTTP_SECONDS  seconds per measurement (default 5)
# Measures, at concurrency 1 and 16, the download of the largest Storico file and package_search
# (nginx serves a saved copy of its answer), prints the ratios, then the gateway's memory.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=$1 state=$2 catalogue=$3 exporter=$4 aggregation=$5 token=$6
seconds=${OMNIA_BENCH_HTTP_SECONDS:-5}
nginx=${OMNIA_NGINX:-/usr/sbin/nginx}
port=$((30000 + RANDOM % 10000))
gateway=127.0.0.1:$port
peer=127.0.0.1:$((port + 1))

"$build/services/gateway/omnia-gateway" --http_address="$gateway" \
  --catalogue_address="$catalogue" --exporter_address="$exporter" \
  --aggregation_address="$aggregation" --token_file="$token" \
  --public_base_url="http://$gateway" 2>"$state/gateway.log" &
gateway_pid=$!
# nginx gets a folder of its own that an unprivileged user can read and write.
www=$(mktemp -d /tmp/omnia-nginx.XXXXXX)
chmod 755 "$www"
cleanup() {
  kill "$gateway_pid" 2>/dev/null || true
  if [ -s "$www/nginx.pid" ]; then kill "$(cat "$www/nginx.pid")" 2>/dev/null || true; fi
  sleep 0.2
  rm -rf "$www"
}
trap cleanup EXIT
for _ in $(seq 100); do
  curl -sf "http://$gateway/readyz" >/dev/null && break
  sleep 0.1
done

# The largest Storico file, found the way a CKAN client would.
search="/api/3/action/package_search?q=storico&rows=1000"
read -r file size < <(curl -sf "http://$gateway$search" | python3 -c '
import json, sys, urllib.parse
results = json.load(sys.stdin)["result"]["results"]
best = max((r for p in results for r in p["resources"]), key=lambda r: r["size"])
print(urllib.parse.urlsplit(best["url"]).path, best["size"])')
echo "{\"step\": \"http_file\", \"path\": \"$file\", \"bytes\": $size}"
mkdir -p "$www/root$(dirname "$file")"
curl -sf -o "$www/root$file" "http://$gateway$file"
curl -sf -o "$www/root/package_search.json" "http://$gateway$search"
chmod -R a+rX "$www/root"

cat >"$www/nginx.conf" <<CONF
daemon off;
worker_processes 2;
pid $www/nginx.pid;
error_log $www/error.log;
events { worker_connections 1024; }
http {
  access_log off;
  sendfile on;
  tcp_nopush on;
  keepalive_requests 100000;
  client_body_temp_path $www/tmp-body;
  proxy_temp_path $www/tmp-proxy;
  fastcgi_temp_path $www/tmp-fastcgi;
  uwsgi_temp_path $www/tmp-uwsgi;
  scgi_temp_path $www/tmp-scgi;
  types { text/csv csv; application/json json; }
  server { listen $peer; root $www/root; }
}
CONF
# Started as root, it runs as nobody: it may only write its own folder.
touch "$www/error.log"
if [ "$(id -u)" = 0 ]; then
  chown -R nobody:nogroup "$www"
  setpriv --reuid=nobody --regid=nogroup --clear-groups "$nginx" -p "$www" -c "$www/nginx.conf" &
else
  "$nginx" -p "$www" -c "$www/nginx.conf" &
fi
for _ in $(seq 100); do
  curl -sf -o /dev/null "http://$peer/package_search.json" && break
  sleep 0.1
done
if ! curl -sf -o /dev/null "http://$peer/package_search.json"; then
  echo "nginx does not answer on $peer:" >&2
  cat "$www/error.log" >&2
  exit 1
fi

python3 "$root/tools/bench/http_load.py" "http://$gateway" "http://$peer" "$gateway_pid" \
  "$seconds" "$file:$file" "$search:/package_search.json"
