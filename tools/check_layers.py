#!/usr/bin/env python3
"""Checks that the layers of the source tree point one way, from the #include lines.

Each directory of libs/ may include only the libs/ directories its row of LIBS_MAY_INCLUDE
names (and itself). A new directory must get a row before anything builds on it. Libraries
never include services/, tools/ or tests/, and a service includes no other service.

Usage: check_layers.py [ROOT]    (ROOT defaults to the checkout holding this script)
       check_layers.py --self-test
Exit status 0 when every include is allowed, 1 with one line per violation otherwise.
"""

import os
import re
import sys
import tempfile

# Which libs/ directories each libs/ directory may include, lowest layers first. The rows say
# what the architecture intends, not only what the code does today: a directory may be allowed
# a layer it does not use yet, never one above it.
LIBS_MAY_INCLUDE = {
    # Foundations: no omnia dependency at all, or only on each other.
    "base": set(),
    "domain": {"base"},
    "storage": {"base"},
    "rpc": {"base"},  # gRPC channels and status mapping, shared by servers and clients
    "facts": {"base", "domain"},  # what ingestion forwards and the cubes apply
    "synth": {"base", "domain"},
    "http": {"base"},
    "dcat": {"base"},
    "portal": {"base"},
    # Domain libraries: no network, no proto services.
    "cube": {"base", "domain", "facts", "storage"},
    "ingest": {"base", "domain", "facts", "storage"},  # never the cube, nor server or client
    "export": {"base", "domain", "cube"},
    "catalogue": {"base", "domain", "storage"},
    "ckan": {"base", "domain", "catalogue"},
    # Adapters between the domain libraries and the wire.
    "api": {"base", "domain", "facts", "cube", "ingest", "rpc"},
    # The exporter's workflow: a dataset's cells through the writers, as ExportService streams it.
    "export_job": {"base", "domain", "cube", "export", "api", "catalogue", "rpc"},
    "ingest_grpc": {"base", "domain", "facts", "ingest", "api", "rpc"},
    "gateway": {"base", "domain", "http", "catalogue", "ckan", "dcat"},
    # The two ends of a call: neither includes the other.
    "server": {"base", "rpc"},
    "client": {"base", "domain", "rpc"},
}

# Where a directory may use only some headers of a layer it is allowed: ingestion's gRPC sink
# speaks aggregation's write messages through libs/api's fact conversions, never the cube's.
ONLY_HEADERS = {
    ("ingest_grpc", "api"): {"libs/api/fact_convert.h"},
}

INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"')
SOURCE_SUFFIXES = (".h", ".cc")
TOP_LEVELS = ("libs", "services", "tools", "tests")


def includes_of(path):
    """(line number, included path) of every quoted include of `path`."""
    with open(path, encoding="utf-8", errors="replace") as f:
        for number, line in enumerate(f, 1):
            match = INCLUDE.match(line)
            if match:
                yield number, match.group(1)


def sources_under(root, top):
    """(directory under `top`, file path) of every C++ source under root/top."""
    base = os.path.join(root, top)
    if not os.path.isdir(base):
        return
    for directory, _, files in os.walk(base):
        parts = os.path.relpath(directory, base).split(os.sep)
        if parts[0] == ".":
            continue
        for name in sorted(files):
            if name.endswith(SOURCE_SUFFIXES):
                yield parts[0], os.path.join(directory, name)


def violation_of(top, owner, included):
    """Why `owner` (a directory of `top`) may not include `included`, or None."""
    parts = included.split("/")
    if len(parts) < 2 or parts[0] not in TOP_LEVELS:
        return None  # a system or third-party header, or one generated from the protos
    target_top, target = parts[0], parts[1]
    if top == "libs":
        if target_top != "libs":
            return "a library includes nothing from %s/" % target_top
        if owner not in LIBS_MAY_INCLUDE:
            return "libs/%s has no row in LIBS_MAY_INCLUDE (tools/check_layers.py)" % owner
        if target != owner and target not in LIBS_MAY_INCLUDE[owner]:
            return "libs/%s may not include libs/%s" % (owner, target)
        allowed = ONLY_HEADERS.get((owner, target))
        if allowed is not None and included not in allowed:
            return "libs/%s may include from libs/%s only %s" % (owner, target,
                                                                 ", ".join(sorted(allowed)))
    elif top == "services" and target_top == "services" and target != owner:
        return "services/%s may not include services/%s" % (owner, target)
    return None


def check(root):
    """Every violation under `root`, as 'path:line: include "x": reason'."""
    violations = []
    for top in ("libs", "services"):
        for owner, path in sources_under(root, top):
            for number, included in includes_of(path):
                reason = violation_of(top, owner, included)
                if reason:
                    violations.append('%s:%d: include "%s": %s' %
                                      (os.path.relpath(path, root), number, included, reason))
    return violations


def self_test():
    """The check itself: a tree with one bad include of each kind reports exactly those."""
    files = {
        "libs/ingest/log.cc": '#include "libs/ingest/log.h"\n#include "libs/cube/cube_store.h"\n',
        "libs/ingest/log.h": '#include "libs/facts/facts.h"\n#include <vector>\n',
        "libs/client/probe.cc": '#include "libs/server/status_mapping.h"\n',
        "libs/server/main.cc": '#include "libs/client/probes.h"\n#include "omnia/v1/x.pb.h"\n',
        "libs/newdir/a.cc": '#include "libs/base/clock.h"\n',
        "libs/cube/a.cc": '#include "services/aggregation/x.h"\n',
        "services/exporter/a.cc": '#include "services/catalogue/b.h"\n#include "libs/cube/q.h"\n',
        "libs/ingest_grpc/s.cc": '#include "libs/api/fact_convert.h"\n#include "libs/api/cube_convert.h"\n',
    }
    expected = {
        "libs/ingest/log.cc:2",
        "libs/client/probe.cc:1",
        "libs/server/main.cc:1",
        "libs/newdir/a.cc:1",
        "libs/cube/a.cc:1",
        "services/exporter/a.cc:1",
        "libs/ingest_grpc/s.cc:2",
    }
    with tempfile.TemporaryDirectory() as root:
        for path, text in files.items():
            os.makedirs(os.path.dirname(os.path.join(root, path)), exist_ok=True)
            with open(os.path.join(root, path), "w", encoding="utf-8") as f:
                f.write(text)
        found = {v.split(": ", 1)[0] for v in check(root)}
    if found != expected:
        print("self-test failed: reported %s, expected %s" % (sorted(found), sorted(expected)))
        return 1
    print("self-test passed")
    return 0


def main(argv):
    if len(argv) > 1 and argv[1] == "--self-test":
        return self_test()
    root = argv[1] if len(argv) > 1 else os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    violations = check(root)
    for violation in violations:
        print(violation)
    if violations:
        print("%d include(s) break the layers; see LIBS_MAY_INCLUDE in tools/check_layers.py" %
              len(violations))
        return 1
    print("layers ok")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
