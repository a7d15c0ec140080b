#!/usr/bin/env bash
# Lints deploy/docker/Dockerfile without Docker: two debian:bookworm stages, a build stage that
# uses tools/install-deps.sh and builds the six binaries, a runtime stage with runtime packages
# only and a numeric non-root USER, nothing downloaded. When the binaries are built, also checks
# that the runtime packages provide every shared library they link against.
# Usage: tests/deploy/dockerfile_test.sh [REPO_ROOT [BUILD_DIR]]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "${1:-$here/../..}" && pwd)
build=${2:-$repo/build}

python3 - "$repo" "$build" <<'EOF'
import os, re, shutil, subprocess, sys

repo, build = sys.argv[1], sys.argv[2]
dockerfile = os.path.join(repo, "deploy", "docker", "Dockerfile")
errors = []

def error(message):
    errors.append(message)

# Logical instructions: comments dropped, continuation lines joined.
lines, current = [], ""
for raw in open(dockerfile, encoding="utf-8"):
    line = raw.rstrip("\n")
    if not current and line.lstrip().startswith("#"):
        continue
    if line.endswith("\\"):
        current += line[:-1] + " "
        continue
    current += line
    if current.strip():
        lines.append(current.strip())
    current = ""
instructions = [(l.split(None, 1)[0].upper(), l.split(None, 1)[1] if " " in l else "")
                for l in lines]

stages = []
for op, arg in instructions:
    if op == "FROM":
        stages.append({"from": arg, "ops": []})
    elif stages:
        stages[-1]["ops"].append((op, arg))
    elif op != "ARG":
        error(f"{op} before the first FROM")

if len(stages) != 2:
    error(f"expected two stages (build, runtime), found {len(stages)}")
for stage in stages:
    image = stage["from"].split()[0]
    if not re.fullmatch(r"debian:bookworm(-slim)?", image):
        error(f"stage FROM {image}: not debian:bookworm")
if stages and not re.search(r"(?i)\bAS\s+build\b", stages[0]["from"]):
    error("the first stage is not named build")

text = "\n".join(lines)
for pattern, why in ((r"\b(curl|wget)\b", "downloads with curl/wget"),
                     (r"(?im)^ADD\s+\S*://", "ADDs a URL"),
                     (r"\bgit\s+clone\b", "clones a repository"),
                     (r"\bpip3?\s+install\b", "installs from PyPI")):
    if re.search(pattern, text):
        error(f"the Dockerfile {why}; everything must come from this tree and Debian")

binaries = ["omnia-ingestion", "omnia-aggregation", "omnia-catalogue", "omnia-exporter",
            "omnia-gateway", "omnia"]
if stages:
    build_text = "\n".join(arg for _, arg in stages[0]["ops"])
    if "tools/install-deps.sh" not in build_text:
        error("the build stage does not install its packages with tools/install-deps.sh")
    targets = re.search(r"--target\s+([^&;]*)", build_text)
    built = set(targets.group(1).split()) if targets else set()
    for b in binaries:
        if b not in built:
            error(f"the build stage does not build {b}")

if len(stages) == 2:
    runtime = stages[1]["ops"]
    users = [arg for op, arg in runtime if op == "USER"]
    if not users:
        error("the runtime stage has no USER")
    elif not re.fullmatch(r"[1-9]\d*(:\d+)?", users[-1]):
        error(f"USER {users[-1]} is not a numeric non-root uid (Kubernetes' runAsNonRoot "
              "cannot verify a name)")
    run_text = " ".join(arg for op, arg in runtime if op == "RUN")
    packages = []
    for m in re.finditer(r"apt-get install ([^&;|]*)", run_text):
        packages += [p for p in m.group(1).split() if not p.startswith("-")]
    if "--no-install-recommends" not in run_text:
        error("the runtime apt-get install pulls recommended packages")
    for p in packages:
        if p.endswith("-dev") or p in ("build-essential", "cmake", "ninja-build", "gcc", "g++",
                                       "clang", "ccache", "protobuf-compiler"):
            error(f"the runtime stage installs build tool or headers {p}")
    if "rm -rf /var/lib/apt/lists" not in run_text:
        error("the runtime stage keeps the apt lists")
    copies = [arg for op, arg in runtime if op == "COPY"]
    if not any("--from=build" in c and c.rstrip().endswith("/usr/local/bin/") for c in copies):
        error("the runtime stage does not copy the binaries from build into /usr/local/bin/")
    if not any(c.split()[0].startswith("deploy/config") for c in copies):
        error("the runtime stage does not carry deploy/config")
    for op, arg in runtime:
        if op == "ENTRYPOINT" and re.search(r"omnia-[a-z]+", arg):
            error("ENTRYPOINT fixes one service; the image serves all five")

    if shutil.which("apt-cache"):
        for p in packages:
            if subprocess.run(["apt-cache", "show", p], stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL).returncode != 0:
                error(f"runtime package {p} is unknown to apt")

    # Every library the binaries need directly must come from a listed package (or from the
    # base image's own C/C++ runtime).
    paths = [os.path.join(build, "services", b[len("omnia-"):], b) for b in binaries[:5]]
    paths.append(os.path.join(build, "tools", "omnia"))
    if all(os.path.exists(p) for p in paths) and shutil.which("readelf") and shutil.which("dpkg"):
        provided = set(packages) | {"libc6", "libgcc-s1", "libstdc++6"}
        needed = set()
        for p in paths:
            out = subprocess.run(["readelf", "-d", p], capture_output=True, text=True).stdout
            needed |= set(re.findall(r"\(NEEDED\).*\[(.+)\]", out))
        for lib in sorted(needed):
            owner = subprocess.run(["dpkg", "-S", f"*/{lib}"], capture_output=True, text=True)
            pkgs = {line.split(":")[0] for line in owner.stdout.splitlines() if ":" in line}
            if not pkgs:
                error(f"no installed package provides {lib}")
            elif not pkgs & provided:
                error(f"{lib} comes from {sorted(pkgs)}, which the runtime stage does not install")
    else:
        print("binaries not built: skipping the shared-library check")

ignore = os.path.join(repo, "deploy", "docker", "Dockerfile.dockerignore")
entries = open(ignore).read().split() if os.path.exists(ignore) else []
for entry in (".git", "build"):
    if entry not in entries:
        error(f"Dockerfile.dockerignore does not exclude {entry}")

for e in errors:
    print(f"Dockerfile: {e}")
if errors:
    sys.exit(1)
print("Dockerfile: two bookworm stages, non-root runtime, every needed library provided")
EOF
