#!/usr/bin/env python3
"""Checks the deployment invariants on the objects an overlay renders to.

Usage: check_k8s.py --repo ROOT --overlay NAME --rendered FILE [--expect-auth] [--expect-tls]
                    [--min-exporter-replicas N] [--min-gateway-replicas N]
                    [--no-rendered-secrets] [--self-test]

Reads the output of `kubectl kustomize deploy/k8s/overlays/NAME` and prints one line per broken
invariant; exits 1 when there is any. With --self-test it also breaks each invariant in turn on a
copy of the objects and exits 1 unless every break is reported, so a check that silently stopped
checking is noticed.
"""

import argparse
import base64
import copy
import math
import os
import re
import subprocess
import sys

import yaml

SERVICES = ("ingestion", "aggregation", "catalogue", "exporter", "gateway")
STATEFUL = ("ingestion", "aggregation", "catalogue")
# The HTTP gateway: the one workload reachable from outside, and the one without a gRPC server.
GATEWAY = "gateway"
# What the gateway may dial.
GATEWAY_PEERS = {"catalogue", "exporter", "aggregation"}
# The services allowed to call aggregation, and the ones that present a token of their own.
AGGREGATION_CALLERS = {"ingestion", "exporter", "catalogue", "gateway"}
TOKEN_CALLERS = ("ingestion", "catalogue", "gateway")
# What each pod may read from token Secrets: the digests it checks (the servers of write methods)
# and the token it sends (the services that write to aggregation, and the gateway, which reads
# attachments). The exporter gets nothing.
AUTH_KEYS = {
    "ingestion": {"digests", "ingestion.token"},
    "aggregation": {"digests"},
    "catalogue": {"digests", "catalogue.token"},
    "exporter": set(),
    "gateway": {"gateway.token"},
}
# Servers with no protected gRPC method, which must not read a tokens file.
NO_TOKENS_FILE = ("exporter", "gateway")
DIGEST_LINE = re.compile(r"^[A-Za-z0-9._-]{1,64}\s+[0-9a-fA-F]{64}\s+\S.*$")
ESSENTIAL_FILE_FLAGS = ("hmac_key_file", "tokens_file", "token_file", "tls_cert_file",
                        "tls_key_file", "tls_ca_file", "tls_client_ca_file")


class Objects:
    """The rendered objects, indexed the way the checks need them."""

    def __init__(self, docs):
        self.docs = [d for d in docs if isinstance(d, dict)]

    def of_kind(self, *kinds):
        return [d for d in self.docs if d.get("kind") in kinds]

    def named(self, kind, name):
        for d in self.of_kind(kind):
            if d.get("metadata", {}).get("name") == name:
                return d
        return None

    def workloads(self):
        """component -> (object, pod spec, pod labels, pod annotations) for omnia workloads."""
        found = {}
        for d in self.of_kind("StatefulSet", "Deployment", "DaemonSet", "ReplicaSet"):
            name = d.get("metadata", {}).get("name", "")
            if not name.startswith("omnia-"):
                continue
            template = d.get("spec", {}).get("template", {})
            meta = template.get("metadata", {}) or {}
            found[name[len("omnia-"):]] = (d, template.get("spec", {}) or {},
                                           meta.get("labels", {}) or {},
                                           meta.get("annotations", {}) or {})
        return found


def containers_of(pod_spec):
    return list(pod_spec.get("containers") or []) + list(pod_spec.get("initContainers") or [])


def flags_of(container):
    """--name=value arguments of a container, command and args together."""
    flags = {}
    for arg in list(container.get("command") or []) + list(container.get("args") or []):
        m = re.match(r"^--([a-z_]+)=(.*)$", str(arg))
        if m:
            flags[m.group(1)] = m.group(2)
    return flags


def port_of_address(address):
    m = re.match(r"^(.*):(\d+)$", address or "")
    return (m.group(1), int(m.group(2))) if m else (None, None)


def container_ports(container):
    """name -> number, plus number -> number."""
    ports = {}
    for p in container.get("ports") or []:
        ports[p["containerPort"]] = p["containerPort"]
        if p.get("name"):
            ports[p["name"]] = p["containerPort"]
    return ports


def selector_matches(selector, labels):
    """Kubernetes label selector semantics; {} matches everything, None nothing."""
    if selector is None:
        return False
    for key, value in (selector.get("matchLabels") or {}).items():
        if labels.get(key) != value:
            return False
    for expr in selector.get("matchExpressions") or []:
        key, op, values = expr.get("key"), expr.get("operator"), expr.get("values") or []
        if op == "In" and not (key in labels and labels[key] in values):
            return False
        if op == "NotIn" and key in labels and labels[key] in values:
            return False
        if op == "Exists" and key not in labels:
            return False
        if op == "DoesNotExist" and key in labels:
            return False
    return True


def selector_is_empty(selector):
    return not (selector or {}).get("matchLabels") and not (selector or {}).get("matchExpressions")


def rule_covers_port(rule, container, port_number):
    """Whether an ingress rule admits traffic to port_number of the container."""
    ports = rule.get("ports")
    if not ports:
        return True
    names = {name: number for name, number in container_ports(container).items()
             if isinstance(name, str)}
    for entry in ports:
        if entry.get("protocol", "TCP") != "TCP":
            continue
        port = entry.get("port")
        if port is None:
            return True
        if isinstance(port, str):
            if names.get(port) == port_number:
                return True
            continue
        end = entry.get("endPort", port)
        if port <= port_number <= end:
            return True
    return False


def policies_selecting(objects, labels):
    """Ingress NetworkPolicies whose podSelector matches pods with these labels."""
    found = []
    for policy in objects.of_kind("NetworkPolicy"):
        spec = policy.get("spec", {})
        types = spec.get("policyTypes") or ["Ingress"]
        if "Ingress" in types and selector_matches(spec.get("podSelector", {}), labels):
            found.append(policy)
    return found


def mount_for(container, pod_spec, path):
    """The (volumeMount, volume) whose mountPath holds path, longest match first."""
    best = None
    for mount in container.get("volumeMounts") or []:
        mp = mount["mountPath"].rstrip("/")
        if path == mp or path.startswith(mp + "/"):
            if best is None or len(mp) > len(best["mountPath"].rstrip("/")):
                best = mount
    if best is None:
        return None, None
    for volume in pod_spec.get("volumes") or []:
        if volume["name"] == best["name"]:
            return best, volume
    return best, None


class Checker:
    def __init__(self, args, objects):
        self.args = args
        self.o = objects
        self.errors = []

    def error(self, category, message):
        self.errors.append(f"[{category}] {message}")

    # ---- the invariants -------------------------------------------------------------------

    def check_all(self):
        self.workloads = self.o.workloads()
        for svc in SERVICES:
            if svc not in self.workloads:
                self.error("workloads", f"no workload omnia-{svc}")
        self.check_statefulsets()
        self.check_autoscaled("exporter", self.args.min_exporter_replicas, "exporter-hpa")
        self.check_autoscaled(GATEWAY, self.args.min_gateway_replicas, "gateway")
        self.check_gateway()
        self.check_only_gateway_public()
        self.check_gateway_egress()
        for svc, (obj, pod, labels, _) in sorted(self.workloads.items()):
            self.check_pod_security(svc, pod)
            for c in containers_of(pod):
                self.check_probes(svc, c)
                self.check_resources(svc, c)
                self.check_container_security(svc, pod, c)
                self.check_files(svc, pod, c)
            self.check_command(svc, pod)
        self.check_secrets()
        self.check_auth_secrets()
        self.check_aggregation_policy()
        self.check_apply_threads()
        self.check_ingestion_not_public()
        self.check_services()
        self.check_prometheus()
        self.check_wiring()
        self.check_datasets_config()
        self.check_overlay_expectations()
        return self.errors

    def main_container(self, svc):
        _, pod, _, _ = self.workloads[svc]
        containers = pod.get("containers") or []
        return containers[0] if containers else {}

    def check_statefulsets(self):
        for svc in STATEFUL:
            sts = self.o.named("StatefulSet", f"omnia-{svc}")
            if sts is None:
                self.error("statefulsets", f"omnia-{svc} is not a StatefulSet")
                continue
            spec = sts.get("spec", {})
            claims = [t["metadata"]["name"] for t in spec.get("volumeClaimTemplates") or []]
            if not claims:
                self.error("statefulsets", f"omnia-{svc} has no volumeClaimTemplates")
                continue
            headless = self.o.named("Service", spec.get("serviceName", ""))
            if headless is None or headless["spec"].get("clusterIP") != "None":
                self.error("statefulsets",
                           f"omnia-{svc}: serviceName {spec.get('serviceName')!r} is not a "
                           "headless Service")
            pod = spec.get("template", {}).get("spec", {})
            c = (pod.get("containers") or [{}])[0]
            flags = flags_of(c)
            dirs = {"data_dir": flags.get("data_dir")}
            if svc == "catalogue":
                # Attachments must live on the claim too, or a restart loses published files.
                dirs["artifact_dir"] = flags.get("artifact_dir") or (
                    flags.get("data_dir", "") + "/artifacts")
            for flag, path in dirs.items():
                if not path:
                    self.error("statefulsets", f"omnia-{svc} has no --{flag}")
                    continue
                mount, volume = mount_for(c, pod, path)
                if mount is None or mount["name"] not in claims or volume is not None:
                    self.error("statefulsets",
                               f"omnia-{svc}: --{flag}={path} is not on a volume claim")

    def check_autoscaled(self, svc, min_replicas, category):
        """A stateless Deployment whose replicas belong to a CPU autoscaler, and a disruption
        budget so that drains take its pods one at a time."""
        name = f"omnia-{svc}"
        deployment = self.o.named("Deployment", name)
        if deployment is None:
            self.error(category, f"{name} is not a Deployment")
            return
        if "replicas" in deployment.get("spec", {}):
            self.error(category, f"{name} sets spec.replicas, which fights the HPA")
        hpas = [h for h in self.o.of_kind("HorizontalPodAutoscaler")
                if h.get("spec", {}).get("scaleTargetRef", {}).get("kind") == "Deployment"
                and h["spec"]["scaleTargetRef"].get("name") == name]
        if not hpas:
            self.error(category, f"no HorizontalPodAutoscaler targets {name}")
        for hpa in hpas:
            spec = hpa["spec"]
            if hpa.get("apiVersion") != "autoscaling/v2":
                self.error(category, f"HPA {hpa['metadata']['name']} is not autoscaling/v2")
            cpu = [m for m in spec.get("metrics") or []
                   if m.get("type") == "Resource" and m.get("resource", {}).get("name") == "cpu"]
            if not cpu:
                self.error(category, f"the {svc}'s HPA does not scale on CPU")
            low, high = spec.get("minReplicas", 1), spec.get("maxReplicas", 0)
            if low > high:
                self.error(category, f"{svc}: minReplicas {low} > maxReplicas {high}")
            if low < min_replicas:
                self.error(category, f"{svc}: minReplicas {low} < {min_replicas}")
        labels = deployment["spec"].get("template", {}).get("metadata", {}).get("labels", {})
        budgets = [b for b in self.o.of_kind("PodDisruptionBudget")
                   if b.get("apiVersion") == "policy/v1"
                   and selector_matches(b.get("spec", {}).get("selector"), labels)]
        if not budgets:
            self.error(category, f"no policy/v1 PodDisruptionBudget selects {name}'s pods")

    def check_gateway(self):
        """The Ingress routes only to the gateway, whose Service reaches its HTTP port, and the
        public URL the gateway and the catalogue print is the Ingress's host."""
        if GATEWAY not in self.workloads:
            return
        _, _, labels, _ = self.workloads[GATEWAY]
        flags = flags_of(self.main_container(GATEWAY))
        ingresses = self.o.of_kind("Ingress")
        if not [i for i in ingresses if i.get("apiVersion") == "networking.k8s.io/v1"]:
            self.error("gateway", "no networking.k8s.io/v1 Ingress")
        hosts = set()
        for ingress in ingresses:
            spec = ingress.get("spec", {})
            backends = [spec["defaultBackend"]] if spec.get("defaultBackend") else []
            for rule in spec.get("rules") or []:
                hosts.add(rule.get("host"))
                backends += [p.get("backend", {}) for p in (rule.get("http") or {}).get("paths")
                             or []]
            for backend in backends:
                ref = backend.get("service") or {}
                service = self.o.named("Service", ref.get("name", ""))
                if service is None or not selector_matches(
                        {"matchLabels": service["spec"].get("selector") or {"-": "-"}}, labels):
                    self.error("gateway", f"Ingress {ingress['metadata']['name']} routes to "
                               f"{ref.get('name')!r}, not the gateway")
                    continue
                port = ref.get("port") or {}
                ports = service["spec"].get("ports") or []
                entry = next((p for p in ports if p.get("name") == port.get("name")
                              or p.get("port") == port.get("number")), None)
                if entry is None or entry.get("targetPort") not in ("http", container_ports(
                        self.main_container(GATEWAY)).get("http")):
                    self.error("gateway", f"Ingress {ingress['metadata']['name']} does not reach "
                               "the gateway's http port")
        base = flags.get("public_base_url", "")
        host = re.sub(r"^https?://([^/:]+).*$", r"\1", base)
        if not base or host not in hosts:
            self.error("gateway", f"--public_base_url={base!r} is not an Ingress host")
        if "catalogue" in self.workloads:
            catalogue = flags_of(self.main_container("catalogue")).get("public_base_url")
            if catalogue != base:
                self.error("wiring", f"the catalogue's --public_base_url {catalogue!r} is not "
                           f"the gateway's {base!r}")

    def check_only_gateway_public(self):
        """Every port but the gateway's HTTP port admits named pods of the namespace only, and no
        Service but the gateway's leaves the cluster network."""
        for svc in self.workloads:
            if svc == GATEWAY:
                _, rules = self.ingress_peers_for(svc, "http")
                if not rules:
                    self.error("public", "no NetworkPolicy admits traffic to the gateway's "
                               "http port")
                continue
            for port in ("grpc", "health"):
                if port not in container_ports(self.main_container(svc)):
                    continue
                for policy, rule in self.ingress_peers_for(svc, port)[1]:
                    name = policy["metadata"]["name"]
                    peers = rule.get("from") or []
                    if not peers:
                        self.error("public", f"{name}: {svc}'s {port} port is open to all")
                    for peer in peers:
                        if ("ipBlock" in peer or "namespaceSelector" in peer
                                or selector_is_empty(peer.get("podSelector"))):
                            self.error("public", f"{name}: {svc}'s {port} port admits "
                                       f"{sorted(peer)} beyond named pods of the namespace")
        for service in self.o.of_kind("Service"):
            spec = service.get("spec", {})
            exposed = spec.get("type", "ClusterIP") != "ClusterIP" or spec.get("externalIPs")
            targets = {svc for svc, (_, _, labels, _) in self.workloads.items()
                       if spec.get("selector")
                       and selector_matches({"matchLabels": spec["selector"]}, labels)}
            if exposed and targets - {GATEWAY}:
                self.error("public", f"Service {service['metadata']['name']} exposes "
                           f"{sorted(targets - {GATEWAY})} as {spec.get('type')}")

    def check_gateway_egress(self):
        """The gateway may dial the gRPC services it calls and DNS, nothing else."""
        if GATEWAY not in self.workloads:
            return
        _, _, labels, _ = self.workloads[GATEWAY]
        policies = [p for p in self.o.of_kind("NetworkPolicy")
                    if "Egress" in (p.get("spec", {}).get("policyTypes") or [])
                    and selector_matches(p["spec"].get("podSelector", {}), labels)]
        if not policies:
            self.error("gateway-egress", "no Egress NetworkPolicy selects the gateway")
        for policy in policies:
            name = policy["metadata"]["name"]
            for rule in policy["spec"].get("egress") or []:
                ports = rule.get("ports") or []
                if ports and all(p.get("port") == 53 for p in ports):
                    continue  # DNS
                peers = rule.get("to") or []
                if not peers:
                    self.error("gateway-egress", f"{name}: the gateway may dial anything")
                for peer in peers:
                    matched = {svc for svc, (_, _, l, _) in self.workloads.items()
                               if selector_matches(peer.get("podSelector"), l)}
                    if ("ipBlock" in peer or "namespaceSelector" in peer
                            or selector_is_empty(peer.get("podSelector"))
                            or not matched or matched - GATEWAY_PEERS):
                        self.error("gateway-egress", f"{name}: the gateway may dial {peer}")

    def check_probes(self, svc, c):
        if svc == GATEWAY:
            self.check_http_probes(svc, c)
            return
        flags = flags_of(c)
        _, grpc_port = port_of_address(flags.get("grpc_address"))
        ports = container_ports(c)
        for kind in ("readinessProbe", "livenessProbe"):
            probe = c.get(kind)
            if not probe or "grpc" not in probe:
                self.error("probes", f"{svc}/{c['name']}: no native gRPC {kind}")
                continue
            port = probe["grpc"].get("port")
            if port not in ports:
                self.error("probes", f"{svc}/{c['name']}: {kind} port {port} is not a container port")
            if "tls_cert_file" in flags:
                # The kubelet probes in plaintext: with TLS, probes must use the health port.
                _, health = port_of_address(flags.get("health_address"))
                if port == grpc_port or port != health:
                    self.error("probes", f"{svc}/{c['name']}: with TLS, {kind} must target the "
                               f"plaintext --health_address port, not {port}")
            elif port != grpc_port:
                self.error("probes", f"{svc}/{c['name']}: {kind} port {port} is not the gRPC port "
                           f"{grpc_port}")

    def check_http_probes(self, svc, c):
        """Readiness follows the gateway's peers (/readyz); liveness only the process (/healthz),
        so a catalogue outage takes gateways out of the Service without restarting them."""
        ports = container_ports(c)
        _, http_port = port_of_address(flags_of(c).get("http_address"))
        for kind, path in (("readinessProbe", "/readyz"), ("livenessProbe", "/healthz")):
            probe = (c.get(kind) or {}).get("httpGet")
            if not probe:
                self.error("probes", f"{svc}/{c['name']}: no HTTP {kind}")
                continue
            if probe.get("path") != path:
                self.error("probes", f"{svc}/{c['name']}: {kind} is {probe.get('path')}, not {path}")
            if ports.get(probe.get("port")) != http_port:
                self.error("probes", f"{svc}/{c['name']}: {kind} port is not the HTTP port")

    def check_resources(self, svc, c):
        resources = c.get("resources") or {}
        for section in ("requests", "limits"):
            for resource in ("cpu", "memory"):
                if resource not in (resources.get(section) or {}):
                    self.error("resources", f"{svc}/{c['name']}: no {section}.{resource}")

    def check_pod_security(self, svc, pod):
        for field in ("hostNetwork", "hostPID", "hostIPC"):
            if pod.get(field):
                self.error("security", f"{svc}: {field} is on")
        if pod.get("automountServiceAccountToken") is not False:
            self.error("security", f"{svc}: the service account token is mounted")

    def check_container_security(self, svc, pod, c):
        psc = pod.get("securityContext") or {}
        sc = c.get("securityContext") or {}
        where = f"{svc}/{c['name']}"

        def effective(field):
            return sc.get(field, psc.get(field))

        if effective("runAsNonRoot") is not True:
            self.error("security", f"{where}: runAsNonRoot is not true")
        if effective("runAsUser") in (None, 0):
            self.error("security", f"{where}: runAsUser is unset or root")
        if sc.get("readOnlyRootFilesystem") is not True:
            self.error("security", f"{where}: readOnlyRootFilesystem is not true")
        if sc.get("allowPrivilegeEscalation") is not False:
            self.error("security", f"{where}: allowPrivilegeEscalation is not false")
        if sc.get("privileged"):
            self.error("security", f"{where}: privileged")
        caps = sc.get("capabilities") or {}
        if "ALL" not in (caps.get("drop") or []):
            self.error("security", f"{where}: capabilities do not drop ALL")
        if caps.get("add"):
            self.error("security", f"{where}: capabilities added: {caps['add']}")
        seccomp = (effective("seccompProfile") or {}).get("type")
        if seccomp not in ("RuntimeDefault", "Localhost"):
            self.error("security", f"{where}: seccompProfile is {seccomp}, not RuntimeDefault")
        # A read-only root needs a writable scratch directory.
        mount, volume = mount_for(c, pod, "/tmp")
        if mount is None or mount["mountPath"] != "/tmp" or not volume or "emptyDir" not in volume:
            self.error("security", f"{where}: /tmp is not an emptyDir")

    def check_files(self, svc, pod, c):
        """Secret material comes from mounted Secret files, never from literal values."""
        flags = flags_of(c)
        for flag in ESSENTIAL_FILE_FLAGS:
            if flag not in flags:
                continue
            path = flags[flag]
            mount, volume = mount_for(c, pod, path)
            if volume is None or "secret" not in volume:
                self.error("secrets", f"{svc}: --{flag}={path} is not in a mounted Secret")
                continue
            items = volume["secret"].get("items")
            relative = path[len(mount["mountPath"].rstrip("/")) + 1:]
            if items and relative not in [i["path"] for i in items]:
                self.error("secrets", f"{svc}: --{flag}={path}: the Secret volume has no {relative}")
        for env in c.get("env") or []:
            if env.get("name") == "OMNIA_HMAC_KEY":
                self.error("secrets", f"{svc}: the HMAC key is passed in the environment")
        if svc == "ingestion" and "hmac_key_file" not in flags:
            self.error("secrets", "ingestion has no --hmac_key_file")
        if flags.get("insecure_dev_hmac_key") not in (None, "false"):
            self.error("secrets", f"{svc}: --insecure_dev_hmac_key is on")

    def check_command(self, svc, pod):
        command = (pod.get("containers") or [{}])[0].get("command") or []
        if command[:1] != [f"/usr/local/bin/omnia-{svc}"]:
            self.error("wiring", f"{svc}: command {command} is not /usr/local/bin/omnia-{svc}")

    def check_secrets(self):
        generated = self.generated_secrets()
        for secret in self.o.of_kind("Secret"):
            name = secret["metadata"]["name"]
            if self.args.no_rendered_secrets:
                self.error("secrets", f"Secret {name} is rendered; this overlay expects "
                           "pre-created Secrets only")
                continue
            source = next((g for g in generated
                           if name == g["name"] or re.fullmatch(re.escape(g["name"]) +
                                                                r"-[a-z0-9]{10}", name)), None)
            if source is None:
                self.error("secrets", f"Secret {name} is not generated from an uncommitted file")
        for g in generated:
            if g.get("literals"):
                self.error("secrets", f"secretGenerator {g['name']} has literal values")
            for entry in (g.get("files") or []) + (g.get("envs") or []):
                path = os.path.normpath(os.path.join(g["dir"], entry.split("=", 1)[-1]))
                if self.git_tracked(path):
                    self.error("secrets", f"secretGenerator {g['name']} reads the committed "
                               f"file {os.path.relpath(path, self.args.repo)}")
                elif not self.git_ignored(path):
                    self.error("secrets", f"secretGenerator {g['name']}: "
                               f"{os.path.relpath(path, self.args.repo)} is not ignored by git")
        self.check_committed_tree()

    def auth_volumes(self, pod):
        """(volume name, Secret name, items or None) of the Secret volumes holding tokens."""
        found = []
        for volume in pod.get("volumes") or []:
            sources = []
            if "secret" in volume:
                sources.append(volume["secret"])
            for source in (volume.get("projected") or {}).get("sources") or []:
                if "secret" in source:
                    sources.append(dict(source["secret"],
                                        secretName=source["secret"].get("name", "")))
            for secret in sources:
                name = secret.get("secretName", "")
                items = secret.get("items")
                keys = [i.get("key", "") for i in items or []]
                if ("auth" in name or "token" in name
                        or any(k == "digests" or k.endswith(".token") for k in keys)):
                    found.append((volume["name"], name, items))
        return found

    def check_auth_secrets(self):
        """Each pod mounts only its own digests and token; the exporter mounts none."""
        mounted_by = {}
        for svc, (_, pod, _, _) in sorted(self.workloads.items()):
            expected = AUTH_KEYS.get(svc, set())
            keys = set()
            for volume, secret, items in self.auth_volumes(pod):
                mounted_by.setdefault(secret, set()).add(svc)
                if not expected:
                    self.error("auth-secrets", f"{svc}: mounts the token Secret {secret}; it "
                               "serves and calls no write method")
                    continue
                if items is None:
                    self.error("auth-secrets", f"{svc}: mounts all of the token Secret {secret}; "
                               "list the keys it needs as items")
                    continue
                keys |= {i.get("key") for i in items}
            if keys - expected:
                self.error("auth-secrets", f"{svc}: mounts {sorted(keys - expected)}, which are "
                           "not its own digests or token")
            flags = flags_of(self.main_container(svc))
            if svc not in TOKEN_CALLERS and "token_file" in flags:
                self.error("auth-secrets", f"{svc}: has a --token_file but calls no write method")
            if svc in NO_TOKENS_FILE and "tokens_file" in flags:
                self.error("auth-secrets", f"{svc}: has a --tokens_file but serves no protected "
                           "method")
            token = os.path.basename(flags.get("token_file", f"{svc}.token"))
            if token != f"{svc}.token":
                self.error("auth-secrets", f"{svc}: --token_file is {token}, not its own "
                           f"{svc}.token")
            self.check_rendered_digests(svc, pod, flags)
        for secret, services in sorted(mounted_by.items()):
            if len(services) > 1:
                self.error("auth-secrets", f"the token Secret {secret} is mounted by "
                           f"{sorted(services)}: each pod gets a Secret of its own")

    def check_rendered_digests(self, svc, pod, flags):
        """A rendered tokens file holds digests, and only of methods of its own server."""
        path = flags.get("tokens_file")
        if not path:
            return
        mount, volume = mount_for(self.main_container(svc), pod, path)
        if volume is None or "secret" not in volume:
            return
        secret = self.o.named("Secret", volume["secret"].get("secretName", ""))
        if secret is None:
            return  # pre-created: its content is not in the manifests
        relative = path[len(mount["mountPath"].rstrip("/")) + 1:]
        key = next((i["key"] for i in volume["secret"].get("items") or []
                    if i.get("path") == relative), relative)
        data = (secret.get("data") or {}).get(key)
        if data is None:
            text = (secret.get("stringData") or {}).get(key, "")
        else:
            text = base64.b64decode(data).decode("utf-8", "replace")
        service = svc.capitalize() + "Service/"
        for number, line in enumerate(text.splitlines(), 1):
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            if not DIGEST_LINE.match(line):
                self.error("auth-secrets", f"{svc}: line {number} of its tokens file is not "
                           "`caller sha256-hex-of-token methods`")
                continue
            methods = re.split(r"[,\s]+", line.split(None, 2)[2].strip())
            foreign = [m for m in methods if m and not m.lstrip("/").replace(
                "omnia.v1.", "", 1).startswith(service)]
            if foreign:
                self.error("auth-secrets", f"{svc}: line {number} of its tokens file lists "
                           f"{foreign}, methods another server checks")

    def generated_secrets(self):
        """secretGenerator entries reachable from the overlay, each with its folder."""
        start = os.path.join(self.args.repo, "deploy", "k8s", "overlays", self.args.overlay)
        seen, found, todo = set(), [], [start]
        while todo:
            folder = os.path.normpath(todo.pop())
            if folder in seen:
                continue
            seen.add(folder)
            path = os.path.join(folder, "kustomization.yaml")
            if not os.path.isfile(path):
                continue
            with open(path, encoding="utf-8") as f:
                k = yaml.safe_load(f) or {}
            for g in k.get("secretGenerator") or []:
                found.append(dict(g, dir=folder))
            for ref in (k.get("resources") or []) + (k.get("components") or []):
                if "://" not in ref and os.path.isdir(os.path.join(folder, ref)):
                    todo.append(os.path.join(folder, ref))
        return found

    def git(self, *args):
        return subprocess.run(["git", "-C", self.args.repo, *args], stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL, check=False).returncode

    def git_tracked(self, path):
        return self.has_git and self.git("ls-files", "--error-unmatch", "--", path) == 0

    def git_ignored(self, path):
        return (not self.has_git) or self.git("check-ignore", "-q", "--", path) == 0

    @property
    def has_git(self):
        if not hasattr(self, "_has_git"):
            self._has_git = self.git("rev-parse", "--git-dir") == 0
        return self._has_git

    def check_committed_tree(self):
        """No committed deployment file holds a Secret object or key material."""
        deploy = os.path.join(self.args.repo, "deploy")
        for root, _, files in os.walk(deploy):
            for name in files:
                path = os.path.join(root, name)
                if self.git_ignored(path) and self.has_git:
                    continue
                try:
                    with open(path, encoding="utf-8") as f:
                        text = f.read()
                except (UnicodeDecodeError, OSError):
                    continue
                rel = os.path.relpath(path, self.args.repo)
                if re.search(r"-----BEGIN [A-Z ]*(PRIVATE KEY|CERTIFICATE)-----", text):
                    self.error("secrets", f"{rel} contains key or certificate material")
                if name.endswith((".yaml", ".yml")) and re.search(r"(?m)^kind:\s*Secret\s*$", text):
                    self.error("secrets", f"{rel} commits a Secret object")

    def ingress_peers_for(self, svc, port_name):
        """(policies, rules admitting that port) for the workload's pods."""
        _, _, labels, _ = self.workloads[svc]
        c = self.main_container(svc)
        port = container_ports(c).get(port_name)
        policies = policies_selecting(self.o, labels)
        rules = []
        for policy in policies:
            for rule in policy["spec"].get("ingress") or []:
                if rule_covers_port(rule, c, port):
                    rules.append((policy, rule))
        return policies, rules

    def check_apply_threads(self):
        """Aggregation's apply helpers count the node's processors unless told otherwise, and
        helpers on idle processors would spend the container's CPU quota: --apply_threads must
        be the container's CPU limit, through the Downward API, or a number within it."""
        if "aggregation" not in self.workloads:
            return
        container = self.main_container("aggregation")
        value = flags_of(container).get("apply_threads")
        limit = (container.get("resources") or {}).get("limits", {}).get("cpu")
        env_var = re.fullmatch(r"\$\((\w+)\)", value or "")
        if env_var:
            source = next((e.get("valueFrom", {}).get("resourceFieldRef", {})
                           for e in container.get("env") or []
                           if e.get("name") == env_var.group(1)), {})
            if source.get("resource") != "limits.cpu" or str(source.get("divisor", "1")) != "1":
                self.error("apply-threads", f"omnia-aggregation: --apply_threads={value} is not "
                           "the container's CPU limit in whole processors")
            return
        if value is None or not value.isdigit() or int(value) < 1:
            self.error("apply-threads", f"omnia-aggregation: --apply_threads={value} is not set "
                       "to the CPU limit (the default counts the node's processors)")
            return
        if limit is not None:
            cores = (float(str(limit)[:-1]) / 1000 if str(limit).endswith("m")
                     else float(limit))
            if int(value) > max(1, math.ceil(cores)):
                self.error("apply-threads", f"omnia-aggregation: --apply_threads={value} is "
                           f"above its CPU limit {limit}")

    def check_aggregation_policy(self):
        if "aggregation" not in self.workloads:
            return
        policies, rules = self.ingress_peers_for("aggregation", "grpc")
        if not policies:
            self.error("aggregation-policy", "no NetworkPolicy selects aggregation")
            return
        allowed = set()
        for policy, rule in rules:
            name = policy["metadata"]["name"]
            if not rule.get("ports"):
                self.error("aggregation-policy", f"{name}: a rule opens every port of aggregation")
            peers = rule.get("from") or []
            if not peers:
                self.error("aggregation-policy", f"{name}: aggregation's gRPC port is open to all")
            for peer in peers:
                if "ipBlock" in peer or "namespaceSelector" in peer:
                    self.error("aggregation-policy",
                               f"{name}: aggregation admits {sorted(peer)} beyond its callers")
                    continue
                if selector_is_empty(peer.get("podSelector")):
                    self.error("aggregation-policy", f"{name}: aggregation admits every pod")
                    continue
                matched = {svc for svc, (_, _, labels, _) in self.workloads.items()
                           if selector_matches(peer.get("podSelector"), labels)}
                if not matched or matched - AGGREGATION_CALLERS:
                    self.error("aggregation-policy",
                               f"{name}: peer {peer.get('podSelector')} admits "
                               f"{sorted(matched - AGGREGATION_CALLERS) or 'pods that are not omnia services'}")
                allowed |= matched & AGGREGATION_CALLERS
        if allowed != AGGREGATION_CALLERS:
            self.error("aggregation-policy",
                       f"aggregation's callers not admitted: {sorted(AGGREGATION_CALLERS - allowed)}")

    def check_ingestion_not_public(self):
        if "ingestion" not in self.workloads:
            return
        policies, rules = self.ingress_peers_for("ingestion", "grpc")
        if not policies:
            self.error("ingestion-private", "no NetworkPolicy selects ingestion")
        for policy, rule in rules:
            name = policy["metadata"]["name"]
            peers = rule.get("from") or []
            if not peers:
                self.error("ingestion-private", f"{name}: ingestion's gRPC port is open to all")
            for peer in peers:
                if "ipBlock" in peer or "namespaceSelector" in peer:
                    self.error("ingestion-private",
                               f"{name}: ingestion admits {sorted(peer)} from outside the namespace")
                elif selector_is_empty(peer.get("podSelector")):
                    self.error("ingestion-private", f"{name}: ingestion admits every pod")
        _, _, labels, _ = self.workloads["ingestion"]
        names = set()
        for service in self.o.of_kind("Service"):
            spec = service.get("spec", {})
            if spec.get("selector") and selector_matches({"matchLabels": spec["selector"]}, labels):
                names.add(service["metadata"]["name"])
                if spec.get("type", "ClusterIP") != "ClusterIP" or spec.get("externalIPs"):
                    self.error("ingestion-private",
                               f"Service {service['metadata']['name']} exposes ingestion as "
                               f"{spec.get('type')}")
        for route in self.o.of_kind("Ingress", "HTTPRoute", "GRPCRoute"):
            if set(re.findall(r"omnia-ingestion[a-z-]*", yaml.safe_dump(route))) & names:
                self.error("ingestion-private",
                           f"{route['kind']} {route['metadata']['name']} routes to ingestion")

    def check_services(self):
        """Internal services stay internal; every Service reaches a real port."""
        for service in self.o.of_kind("Service"):
            spec = service.get("spec", {})
            targets = [svc for svc, (_, _, labels, _) in self.workloads.items()
                       if spec.get("selector")
                       and selector_matches({"matchLabels": spec["selector"]}, labels)]
            for svc in targets:
                if svc == "aggregation" and spec.get("type", "ClusterIP") != "ClusterIP":
                    self.error("aggregation-policy",
                               f"Service {service['metadata']['name']} exposes aggregation")
                ports = container_ports(self.main_container(svc))
                for p in spec.get("ports") or []:
                    if p.get("targetPort", p.get("port")) not in ports:
                        self.error("wiring", f"Service {service['metadata']['name']} port "
                                   f"{p.get('name')} targets no port of {svc}")

    def check_prometheus(self):
        scrape_names, scrape_port = self.scrape_config()
        for svc in SERVICES:
            if svc not in self.workloads:
                continue
            _, _, labels, annotations = self.workloads[svc]
            c = self.main_container(svc)
            _, metrics_port = port_of_address(flags_of(c).get("metrics_address"))
            if metrics_port is None:
                self.error("prometheus", f"{svc}: no --metrics_address")
                continue
            if container_ports(c).get("metrics") != metrics_port:
                self.error("prometheus", f"{svc}: the metrics port is not a named container port")
            expected = {"prometheus.io/scrape": "true", "prometheus.io/port": str(metrics_port),
                        "prometheus.io/path": "/metrics"}
            for key, value in expected.items():
                if annotations.get(key) != value:
                    self.error("prometheus", f"{svc}: pod annotation {key} is "
                               f"{annotations.get(key)!r}, not {value!r}")
            # The static configuration reaches the service through a headless Service.
            covered = False
            for name in scrape_names:
                service = self.o.named("Service", name.split(".")[0])
                if (service is not None and service["spec"].get("clusterIP") == "None"
                        and selector_matches({"matchLabels": service["spec"].get("selector")},
                                             labels)
                        and scrape_port == metrics_port
                        and metrics_port in [p.get("port") for p in service["spec"]["ports"]]):
                    covered = True
            if not covered:
                self.error("prometheus", f"{svc}: not in the Prometheus scrape configuration")
            policies, rules = self.ingress_peers_for(svc, "metrics")
            if policies and not rules:
                self.error("prometheus", f"{svc}: NetworkPolicies block its metrics port")

    def scrape_config(self):
        names, port = [], None
        for cm in self.o.of_kind("ConfigMap"):
            for key, text in (cm.get("data") or {}).items():
                if not key.endswith((".yml", ".yaml")) or "scrape_configs" not in text:
                    continue
                config = yaml.safe_load(text) or {}
                for job in config.get("scrape_configs") or []:
                    if job.get("metrics_path", "/metrics") != "/metrics":
                        continue
                    for sd in job.get("dns_sd_configs") or []:
                        names += sd.get("names") or []
                        port = sd.get("port")
        return names, port

    def check_wiring(self):
        targets = {"aggregation_address": "aggregation", "exporter_address": "exporter",
                   "catalogue_address": "catalogue"}
        for svc in self.workloads:
            c = self.main_container(svc)
            flags = flags_of(c)
            served = "http" if svc == GATEWAY else "grpc"
            for flag, kind in ((f"{served}_address", served), ("metrics_address", "metrics")):
                _, port = port_of_address(flags.get(flag))
                if port is None or container_ports(c).get(kind) != port:
                    self.error("wiring", f"{svc}: --{flag} port is not the {kind} container port")
            for flag, peer in targets.items():
                if flag not in flags:
                    continue
                host, port = port_of_address(flags[flag])
                service = self.o.named("Service", (host or "").split(".")[0])
                if service is None or peer not in self.workloads:
                    self.error("wiring", f"{svc}: --{flag}={flags[flag]} names no Service")
                    continue
                _, _, labels, _ = self.workloads[peer]
                if not selector_matches({"matchLabels": service["spec"].get("selector")}, labels):
                    self.error("wiring", f"{svc}: --{flag} Service does not select {peer}")
                if port not in [p.get("port") for p in service["spec"].get("ports") or []]:
                    self.error("wiring", f"{svc}: --{flag} port {port} is not a port of {host}")

    def check_datasets_config(self):
        source = os.path.join(self.args.repo, "deploy", "config", "datasets.textproto")
        with open(source, encoding="utf-8") as f:
            expected = f.read()
        for svc in ("catalogue", "exporter"):
            if svc not in self.workloads:
                continue
            _, pod, _, _ = self.workloads[svc]
            c = self.main_container(svc)
            path = flags_of(c).get("catalogue_config", "")
            mount, volume = mount_for(c, pod, path)
            if volume is None or "configMap" not in volume:
                self.error("config", f"{svc}: --catalogue_config={path} is not from a ConfigMap")
                continue
            cm = self.o.named("ConfigMap", volume["configMap"]["name"])
            key = os.path.basename(path)
            if cm is None or (cm.get("data") or {}).get(key) != expected:
                self.error("config", f"{svc}: the ConfigMap's {key} is not "
                           "deploy/config/datasets.textproto")

    def check_overlay_expectations(self):
        for svc in self.workloads:
            flags = flags_of(self.main_container(svc))
            calls = any(f in flags for f in ("aggregation_address", "exporter_address",
                                             "catalogue_address"))
            if self.args.expect_auth:
                if "tokens_file" not in flags and svc not in NO_TOKENS_FILE:
                    self.error("auth", f"{svc}: no --tokens_file")
                if svc in TOKEN_CALLERS and "token_file" not in flags:
                    self.error("auth", f"{svc}: no --token_file for its calls to aggregation")
            if self.args.expect_tls:
                # The gateway serves HTTP behind the Ingress, which terminates the public TLS.
                for flag in () if svc == GATEWAY else ("tls_cert_file", "tls_key_file"):
                    if flag not in flags:
                        self.error("tls", f"{svc}: no --{flag}")
                if calls and "tls_ca_file" not in flags:
                    self.error("tls", f"{svc}: calls other services without --tls_ca_file")


# ---- self-test: each break must be reported -------------------------------------------------

def _workload(docs, name):
    return next(d for d in docs if d.get("metadata", {}).get("name") == name
                and d.get("kind") in ("StatefulSet", "Deployment"))


def _container(docs, name):
    return _workload(docs, name)["spec"]["template"]["spec"]["containers"][0]


def _policy(docs, name):
    return next(d for d in docs if d.get("kind") == "NetworkPolicy"
                and d["metadata"]["name"] == name)


def _service(docs, name):
    return next(d for d in docs if d.get("kind") == "Service" and d["metadata"]["name"] == name)


class NotApplicable(Exception):
    """A break that the overlay has nothing to apply to (e.g. no rendered Secret)."""


def _auth_volume(docs, name):
    volumes = _workload(docs, name)["spec"]["template"]["spec"]["volumes"]
    return next(v for v in volumes if v["name"] == "auth")


def _mount_auth_in_exporter(docs):
    secret = _auth_volume(docs, "omnia-aggregation")["secret"]["secretName"]
    pod = _workload(docs, "omnia-exporter")["spec"]["template"]["spec"]
    pod["volumes"].append({"name": "auth", "secret": {
        "secretName": secret, "items": [{"key": "digests", "path": "digests"}]}})
    pod["containers"][0]["volumeMounts"].append({"name": "auth", "mountPath": "/etc/omnia/auth"})


def _replace_arg(docs, name, flag, value):
    args = _container(docs, name)["args"]
    index = next(i for i, a in enumerate(args) if a.startswith(f"--{flag}="))
    args[index] = f"--{flag}={value}"


def _rendered_digests(docs, name):
    """The rendered Secret holding the workload's tokens file, or NotApplicable."""
    secret_name = _auth_volume(docs, name)["secret"]["secretName"]
    for d in docs:
        if d.get("kind") == "Secret" and d["metadata"]["name"] == secret_name:
            return d
    raise NotApplicable()


def _write_digests(docs, name, text):
    _rendered_digests(docs, name)["data"]["digests"] = base64.b64encode(text.encode()).decode()


def _hpa(docs, name):
    return next(d for d in docs if d.get("kind") == "HorizontalPodAutoscaler"
                and d["metadata"]["name"] == name)


def _aggregation_in_public_policy(docs):
    """The gateway's public rule, widened to every port and made to select aggregation too."""
    policy = _policy(docs, "omnia-gateway")
    policy["spec"]["podSelector"] = {"matchExpressions": [{
        "key": "app.kubernetes.io/name", "operator": "In",
        "values": ["omnia-gateway", "omnia-aggregation"]}]}
    policy["spec"]["ingress"][0].pop("ports")


def _ingress_to_catalogue(docs):
    ingress = next(d for d in docs if d.get("kind") == "Ingress")
    ingress["spec"]["rules"][0]["http"]["paths"].append({
        "path": "/grpc", "pathType": "Prefix",
        "backend": {"service": {"name": "omnia-catalogue", "port": {"name": "grpc"}}}})


def _drop_hpa(docs):
    docs.remove(_hpa(docs, "omnia-exporter"))


def _exporter_as_statefulset(docs):
    _workload(docs, "omnia-exporter")["kind"] = "StatefulSet"


def _add_secret(docs):
    docs.append({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "omnia-extra"},
                 "data": {"key": "c2VjcmV0"}})


def _set_apply_threads(docs, value):
    args = _container(docs, "omnia-aggregation")["args"]
    args[:] = [a for a in args if not a.startswith("--apply_threads=")]
    if value is not None:
        args.append(f"--apply_threads={value}")


def _apply_threads_from_requests(docs):
    container = _container(docs, "omnia-aggregation")
    for env in container.get("env") or []:
        if env.get("name") == "OMNIA_CPU_LIMIT":
            env["valueFrom"]["resourceFieldRef"]["resource"] = "requests.cpu"


BREAKS = {
    # name: (category that must be reported, mutation)
    "aggregation apply threads left to the node": ("apply-threads",
                                                   lambda d: _set_apply_threads(d, None)),
    "aggregation apply threads above the CPU limit": ("apply-threads",
                                                      lambda d: _set_apply_threads(d, 16)),
    "aggregation apply threads from the CPU request": ("apply-threads",
                                                       _apply_threads_from_requests),
    "aggregation without volume claims": ("statefulsets", lambda d: _workload(
        d, "omnia-aggregation")["spec"].pop("volumeClaimTemplates")),
    "catalogue artifacts off the volume": ("statefulsets", lambda d: _container(
        d, "omnia-catalogue")["args"].append("--artifact_dir=/tmp/artifacts")),
    "exporter without HPA": ("exporter-hpa", _drop_hpa),
    "exporter as a StatefulSet": ("exporter-hpa", _exporter_as_statefulset),
    "catalogue without readiness probe": ("probes", lambda d: _container(
        d, "omnia-catalogue").pop("readinessProbe")),
    "ingestion liveness over TCP": ("probes", lambda d: _container(
        d, "omnia-ingestion").__setitem__("livenessProbe", {"tcpSocket": {"port": 50051}})),
    "exporter without limits": ("resources", lambda d: _container(
        d, "omnia-exporter")["resources"].pop("limits")),
    "aggregation without memory request": ("resources", lambda d: _container(
        d, "omnia-aggregation")["resources"]["requests"].pop("memory")),
    "ingestion writable root": ("security", lambda d: _container(
        d, "omnia-ingestion")["securityContext"].__setitem__("readOnlyRootFilesystem", False)),
    "catalogue may run as root": ("security", lambda d: (
        _container(d, "omnia-catalogue")["securityContext"].pop("runAsNonRoot"),
        _workload(d, "omnia-catalogue")["spec"]["template"]["spec"]["securityContext"]
        .pop("runAsNonRoot"))),
    "exporter keeps capabilities": ("security", lambda d: _container(
        d, "omnia-exporter")["securityContext"].pop("capabilities")),
    "a committed Secret with data": ("secrets", _add_secret),
    "HMAC key in the environment": ("secrets", lambda d: _container(
        d, "omnia-ingestion").setdefault("env", []).append(
            {"name": "OMNIA_HMAC_KEY", "value": "0123456789abcdef0123456789abcdef"})),
    "aggregation open to every pod": ("aggregation-policy", lambda d: _policy(
        d, "omnia-aggregation")["spec"]["ingress"][0]["from"].append({"podSelector": {}})),
    "aggregation open to other namespaces": ("aggregation-policy", lambda d: _policy(
        d, "omnia-aggregation")["spec"]["ingress"][0]["from"].append({"namespaceSelector": {}})),
    "aggregation rule without ports": ("aggregation-policy", lambda d: _policy(
        d, "omnia-aggregation")["spec"]["ingress"][0].pop("ports")),
    "aggregation in the public policy": ("aggregation-policy", _aggregation_in_public_policy),
    "aggregation refuses the gateway": ("aggregation-policy", lambda d: _policy(
        d, "omnia-aggregation")["spec"]["ingress"][0]["from"].pop()),
    "catalogue open to all": ("public", lambda d: _policy(
        d, "omnia-catalogue")["spec"]["ingress"][0].pop("from")),
    "exporter open to other namespaces": ("public", lambda d: _policy(
        d, "omnia-exporter")["spec"]["ingress"][0]["from"].append({"namespaceSelector": {}})),
    "catalogue as a LoadBalancer": ("public", lambda d: _service(
        d, "omnia-catalogue")["spec"].__setitem__("type", "LoadBalancer")),
    "gateway unreachable": ("public", lambda d: d.remove(_policy(d, "omnia-gateway"))),
    "an Ingress to the catalogue": ("gateway", _ingress_to_catalogue),
    "gateway without HPA": ("gateway", lambda d: d.remove(_hpa(d, "omnia-gateway"))),
    "gateway HPA may scale to zero": ("gateway", lambda d: _hpa(
        d, "omnia-gateway")["spec"].__setitem__("minReplicas", 0)),
    "gateway with fixed replicas": ("gateway", lambda d: _workload(
        d, "omnia-gateway")["spec"].__setitem__("replicas", 2)),
    "gateway without disruption budget": ("gateway", lambda d: d.remove(next(
        x for x in d if x.get("kind") == "PodDisruptionBudget"
        and x["metadata"]["name"] == "omnia-gateway"))),
    "gateway URL off the Ingress host": ("gateway", lambda d: _replace_arg(
        d, "omnia-gateway", "public_base_url", "https://elsewhere.example.org")),
    "catalogue URL not the gateway's": ("wiring", lambda d: _replace_arg(
        d, "omnia-catalogue", "public_base_url", "https://elsewhere.example.org")),
    "gateway ready while its peers are down": ("probes", lambda d: _container(
        d, "omnia-gateway")["readinessProbe"]["httpGet"].__setitem__("path", "/healthz")),
    "gateway without liveness probe": ("probes", lambda d: _container(
        d, "omnia-gateway").pop("livenessProbe")),
    "gateway dials anything": ("gateway-egress", lambda d: _policy(
        d, "omnia-gateway-egress")["spec"]["egress"].append({})),
    "gateway dials ingestion": ("gateway-egress", lambda d: _policy(
        d, "omnia-gateway-egress")["spec"]["egress"][0]["to"].append(
            {"podSelector": {"matchLabels": {"app.kubernetes.io/name": "omnia-ingestion"}}})),
    "gateway without egress policy": ("gateway-egress", lambda d: d.remove(_policy(
        d, "omnia-gateway-egress"))),
    "gateway mounts the catalogue's token": ("auth-secrets", lambda d: _auth_volume(
        d, "omnia-gateway")["secret"]["items"].append(
            {"key": "catalogue.token", "path": "catalogue.token"})),
    "gateway reads a tokens file": ("auth-secrets", lambda d: _container(
        d, "omnia-gateway")["args"].append("--tokens_file=/etc/omnia/auth/digests")),
    "ingestion as a LoadBalancer": ("ingestion-private", lambda d: _service(
        d, "omnia-ingestion")["spec"].__setitem__("type", "LoadBalancer")),
    "ingestion open to every pod": ("ingestion-private", lambda d: _policy(
        d, "omnia-ingestion")["spec"]["ingress"][0]["from"].__setitem__(0, {"podSelector": {}})),
    "aggregation without scrape annotation": ("prometheus", lambda d: _workload(
        d, "omnia-aggregation")["spec"]["template"]["metadata"]["annotations"]
        .pop("prometheus.io/scrape")),
    "exporter missing from the scrape config": ("prometheus", lambda d: _service(
        d, "omnia-exporter-headless").__setitem__("metadata", {"name": "renamed"})),
    "exporter mounts a token Secret": ("auth-secrets", _mount_auth_in_exporter),
    "exporter reads a tokens file": ("auth-secrets", lambda d: _container(
        d, "omnia-exporter")["args"].append("--tokens_file=/etc/omnia/auth/digests")),
    "ingestion mounts the catalogue's token": ("auth-secrets", lambda d: _auth_volume(
        d, "omnia-ingestion")["secret"]["items"].append(
            {"key": "catalogue.token", "path": "catalogue.token"})),
    "ingestion sends the catalogue's token": ("auth-secrets", lambda d: _replace_arg(
        d, "omnia-ingestion", "token_file", "/etc/omnia/auth/catalogue.token")),
    "aggregation sends a token": ("auth-secrets", lambda d: _container(
        d, "omnia-aggregation")["args"].append("--token_file=/etc/omnia/auth/ingestion.token")),
    "catalogue mounts aggregation's Secret": ("auth-secrets", lambda d: _auth_volume(
        d, "omnia-catalogue")["secret"].__setitem__(
            "secretName", _auth_volume(d, "omnia-aggregation")["secret"]["secretName"])),
    "aggregation mounts a whole token Secret": ("auth-secrets", lambda d: _auth_volume(
        d, "omnia-aggregation")["secret"].pop("items")),
    "a clear token in a tokens file": ("auth-secrets", lambda d: _write_digests(
        d, "omnia-aggregation", "ingestion 0123456789abcdef0123456789abcdef\n")),
    "a server checks another server's methods": ("auth-secrets", lambda d: _write_digests(
        d, "omnia-aggregation", "operator " + "ab" * 32 + " CatalogueService/Publish\n")),
}


def self_test(args, docs):
    """(failures, number of breaks applied)."""
    failures, applied = [], 0
    base = Checker(args, Objects(copy.deepcopy(docs))).check_all()
    if base:
        failures.append("the unbroken objects already fail")
    for name, (category, mutate) in BREAKS.items():
        broken = copy.deepcopy(docs)
        try:
            mutate(broken)
        except NotApplicable:
            continue
        except (StopIteration, KeyError, IndexError) as e:
            failures.append(f"cannot apply break {name!r}: {e!r}")
            continue
        applied += 1
        errors = Checker(args, Objects(broken)).check_all()
        if not any(e.startswith(f"[{category}]") for e in errors):
            failures.append(f"break {name!r} was not reported as {category}")
    return failures, applied


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repo", required=True)
    parser.add_argument("--overlay", required=True)
    parser.add_argument("--rendered", required=True)
    parser.add_argument("--expect-auth", action="store_true")
    parser.add_argument("--expect-tls", action="store_true")
    parser.add_argument("--min-exporter-replicas", type=int, default=1)
    parser.add_argument("--min-gateway-replicas", type=int, default=1)
    parser.add_argument("--no-rendered-secrets", action="store_true")
    parser.add_argument("--self-test", action="store_true")
    args = parser.parse_args()
    args.repo = os.path.abspath(args.repo)
    with open(args.rendered, encoding="utf-8") as f:
        docs = [d for d in yaml.safe_load_all(f) if d]
    errors = Checker(args, Objects(docs)).check_all()
    for e in errors:
        print(f"{args.overlay}: {e}")
    applied = 0
    if args.self_test and not errors:
        failures, applied = self_test(args, docs)
        for failure in failures:
            errors.append(failure)
            print(f"{args.overlay}: self-test: {failure}")
    if errors:
        return 1
    print(f"{args.overlay}: {len(docs)} objects, every invariant holds"
          + (f"; {applied} deliberate breaks all reported" if args.self_test else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
