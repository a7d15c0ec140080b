#!/usr/bin/python3
"""HTTP load for the gateway benchmark: the same requests against the gateway and nginx.

Usage: http_load.py GATEWAY_URL NGINX_URL GATEWAY_PID DURATION_SECONDS PATH:NGINX_PATH ...

For each PATH (on the gateway) and NGINX_PATH (the same bytes served by nginx from disk), at
concurrency 1 and 16: requests per second, throughput (MiB/s), p50 and p99 latency (whole body
read), for both servers and their ratio. Samples the gateway's resident memory while it runs.
Prints one JSON object per measurement. Standard library only.
"""

import http.client
import json
import sys
import threading
import time
import urllib.parse


def rss_kib(pid, field="VmRSS"):
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return 0


def worker(host, port, path, deadline, latencies, sizes, errors):
    connection = http.client.HTTPConnection(host, port, timeout=60)
    while time.monotonic() < deadline:
        start = time.monotonic()
        try:
            connection.request("GET", path)
            response = connection.getresponse()
            size = 0
            while True:
                chunk = response.read(1 << 20)
                if not chunk:
                    break
                size += len(chunk)
            if response.status != 200:
                errors.append(response.status)
        except (OSError, http.client.HTTPException):
            errors.append("io")
            connection.close()
            connection = http.client.HTTPConnection(host, port, timeout=60)
            continue
        latencies.append(time.monotonic() - start)
        sizes.append(size)
    connection.close()


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def measure(base, path, concurrency, seconds):
    url = urllib.parse.urlsplit(base)
    latencies, sizes, errors = [], [], []
    deadline = time.monotonic() + seconds
    threads = [
        threading.Thread(target=worker,
                         args=(url.hostname, url.port, path, deadline, latencies, sizes, errors))
        for _ in range(concurrency)
    ]
    start = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - start
    return {
        "requests_per_s": round(len(latencies) / elapsed, 1),
        "mib_per_s": round(sum(sizes) / elapsed / (1 << 20), 1),
        "p50_ms": round(percentile(latencies, 0.50) * 1000, 2) if latencies else None,
        "p99_ms": round(percentile(latencies, 0.99) * 1000, 2) if latencies else None,
        "bytes": sizes[0] if sizes else 0,
        "errors": len(errors),
    }


def main():
    gateway, nginx, pid, seconds = sys.argv[1], sys.argv[2], int(sys.argv[3]), float(sys.argv[4])
    peak_rss = [0]
    running = [True]

    def sample():
        while running[0]:
            peak_rss[0] = max(peak_rss[0], rss_kib(pid))
            time.sleep(0.05)

    sampler = threading.Thread(target=sample)
    sampler.start()
    try:
        for pair in sys.argv[5:]:
            path, nginx_path = pair.split(":", 1)
            for concurrency in (1, 16):
                ours = measure(gateway, path, concurrency, seconds)
                peer = measure(nginx, nginx_path, concurrency, seconds)
                print(json.dumps({
                    "step": "http", "path": path, "concurrency": concurrency,
                    "gateway": ours, "nginx": peer,
                    "throughput_ratio_gateway_to_nginx":
                        round(ours["mib_per_s"] / peer["mib_per_s"], 3)
                        if peer["mib_per_s"] else None,
                    "p50_ratio": round(ours["p50_ms"] / peer["p50_ms"], 2)
                    if ours["p50_ms"] and peer["p50_ms"] else None,
                    "p99_ratio": round(ours["p99_ms"] / peer["p99_ms"], 2)
                    if ours["p99_ms"] and peer["p99_ms"] else None,
                }), flush=True)
    finally:
        running[0] = False
        sampler.join()
    print(json.dumps({"step": "gateway_rss_under_load", "peak_sampled_mib": peak_rss[0] // 1024,
                      "vm_hwm_mib": rss_kib(pid, "VmHWM") // 1024}), flush=True)


if __name__ == "__main__":
    main()
