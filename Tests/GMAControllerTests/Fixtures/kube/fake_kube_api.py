#!/usr/bin/env python3
"""A small in-memory stand-in for kube-apiserver, enough for kubectl get/apply/delete/scale.

Used by gma's tests (no real apiserver can be installed on the test machines). Plain HTTP, no auth,
standard library only. Start: `python3 fake_kube_api.py [--port N]` (0 = any free port); the first
line on stdout is `listening PORT`.

Besides the Kubernetes paths it serves two test endpoints:
  GET /_fake/objects   every stored object, as {"items": [...]}
  GET /_fake/requests  every request seen, as {"items": [{"method", "path", "query"}]}
HPA status is synthesised from the target workload's replicas unless a client set it through the
`status` subresource, so `kubectl scale` shows up in `kubectl get hpa`.
"""
import argparse
import copy
import datetime
import json
import os
import sys
import threading
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

# (group, version) -> list of (plural, kind, short names, namespaced, subresources)
RESOURCES = {
    ("", "v1"): [
        ("namespaces", "Namespace", ["ns"], False, []),
        ("services", "Service", ["svc"], True, []),
        ("configmaps", "ConfigMap", ["cm"], True, []),
        ("pods", "Pod", ["po"], True, []),
    ],
    ("apps", "v1"): [
        ("deployments", "Deployment", ["deploy"], True, ["scale", "status"]),
        ("statefulsets", "StatefulSet", ["sts"], True, ["scale", "status"]),
    ],
    ("autoscaling", "v2"): [
        ("horizontalpodautoscalers", "HorizontalPodAutoscaler", ["hpa"], True, ["status"]),
    ],
    ("autoscaling", "v1"): [
        ("horizontalpodautoscalers", "HorizontalPodAutoscaler", ["hpa"], True, ["status"]),
    ],
}
PREFERRED = {"": "v1", "apps": "v1", "autoscaling": "v2"}
VERBS = ["create", "delete", "get", "list", "patch", "update", "watch"]


class Store:
    """Objects keyed by (group, plural, namespace, name); versions of a group share storage."""

    def __init__(self):
        self.lock = threading.Lock()
        self.objects = {}
        self.explicit_status = set()
        self.requests = []
        self.version = 0

    def next_version(self):
        self.version += 1
        return str(self.version)


STORE = Store()


def kind_of(group, version, plural):
    for entry in RESOURCES.get((group, version), []):
        if entry[0] == plural:
            return entry
    return None


def api_version(group, version):
    return version if group == "" else f"{group}/{version}"


def status_error(code, reason, message, name="", group="", kind=""):
    return code, {
        "kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
        "message": message, "reason": reason, "code": code,
        "details": {"name": name, "group": group, "kind": kind},
    }


def merge(target, patch, strategic):
    """JSON merge patch (RFC 7386); in strategic mode lists of named maps merge by name."""
    if not isinstance(patch, dict) or not isinstance(target, dict):
        return copy.deepcopy(patch)
    result = dict(target)
    for key, value in patch.items():
        if key.startswith("$"):
            continue
        if value is None:
            result.pop(key, None)
        elif strategic and isinstance(value, list) and isinstance(result.get(key), list) and named(value) and named(result[key]):
            by_name = {item["name"]: item for item in result[key]}
            merged = []
            for item in value:
                if item.get("$patch") == "delete":
                    by_name.pop(item["name"], None)
                    continue
                merged.append(merge(by_name.pop(item["name"], {}), item, strategic))
            result[key] = merged + list(by_name.values())
        else:
            result[key] = merge(result.get(key, {}), value, strategic) if isinstance(value, dict) else copy.deepcopy(value)
    return result


def named(items):
    return all(isinstance(item, dict) and "name" in item for item in items)


def discovery(path):
    if path == "/api":
        return {"kind": "APIVersions", "versions": ["v1"],
                "serverAddressByClientCIDRs": [{"clientCIDR": "0.0.0.0/0", "serverAddress": "127.0.0.1"}]}
    if path == "/apis":
        groups = []
        for group in ("apps", "autoscaling"):
            versions = [v for (g, v) in RESOURCES if g == group]
            entries = [{"groupVersion": f"{group}/{v}", "version": v} for v in versions]
            preferred = {"groupVersion": f"{group}/{PREFERRED[group]}", "version": PREFERRED[group]}
            groups.append({"name": group, "versions": entries, "preferredVersion": preferred})
        return {"kind": "APIGroupList", "apiVersion": "v1", "groups": groups}
    parts = path.strip("/").split("/")
    if parts == ["api", "v1"]:
        group, version = "", "v1"
    elif len(parts) == 3 and parts[0] == "apis":
        group, version = parts[1], parts[2]
    else:
        return None
    if (group, version) not in RESOURCES:
        return None
    resources = []
    for plural, kind, shorts, namespaced, subs in RESOURCES[(group, version)]:
        resources.append({"name": plural, "singularName": kind.lower(), "namespaced": namespaced,
                          "kind": kind, "verbs": VERBS, "shortNames": shorts})
        for sub in subs:
            entry = {"name": f"{plural}/{sub}", "singularName": "", "namespaced": namespaced,
                     "kind": kind, "verbs": ["get", "patch", "update"]}
            if sub == "scale":
                entry.update({"group": "autoscaling", "version": "v1", "kind": "Scale"})
            resources.append(entry)
    return {"kind": "APIResourceList", "apiVersion": "v1",
            "groupVersion": api_version(group, version), "resources": resources}


def openapi_document(group_version):
    """The OpenAPI v3 document of one group version, reduced to what kubectl reads: a PATCH operation per
    kind that declares the `fieldValidation` parameter (so kubectl leaves validation to the server), and
    permissive schemas."""
    group, _, version = group_version.rpartition("/")
    group = "" if group == "api" else group.replace("apis/", "", 1)
    paths = {}
    schemas = {}
    for plural, kind, _, namespaced, _ in RESOURCES.get((group, version), []):
        gvk = {"group": group, "version": version, "kind": kind}
        prefix = "/api/v1" if group == "" else f"/apis/{group}/{version}"
        scope = "/namespaces/{namespace}" if namespaced else ""
        paths[f"{prefix}{scope}/{plural}/{{name}}"] = {
            "patch": {
                "x-kubernetes-group-version-kind": gvk,
                "parameters": [{"name": "fieldValidation", "in": "query", "schema": {"type": "string"}}],
                "responses": {"200": {"description": "OK"}},
            }
        }
        schemas[f"io.k8s.fake.{group or 'core'}.{version}.{kind}"] = {
            "type": "object",
            "x-kubernetes-preserve-unknown-fields": True,
            "x-kubernetes-group-version-kind": [gvk],
        }
    return {"openapi": "3.0.0", "info": {"title": "fake", "version": "v1.32.4"}, "paths": paths,
            "components": {"schemas": schemas}}


def with_hpa_status(obj, key):
    """A stored HPA as a reader sees it: status derived from its target unless set explicitly."""
    if key in STORE.explicit_status:
        return obj
    spec = obj.get("spec", {})
    target = spec.get("scaleTargetRef", {})
    plural = {"Deployment": "deployments", "StatefulSet": "statefulsets"}.get(target.get("kind"))
    workload = STORE.objects.get(("apps", plural, key[2], target.get("name")))
    shown = copy.deepcopy(obj)
    if workload is None:
        shown["status"] = {"currentReplicas": 0, "desiredReplicas": 0}
        return shown
    replicas = workload.get("spec", {}).get("replicas", 1)
    low, high = spec.get("minReplicas", 1), spec.get("maxReplicas", replicas)
    shown["status"] = {"currentReplicas": replicas, "desiredReplicas": max(low, min(high, replicas))}
    return shown


def shown(group, version, plural, key, obj):
    obj = copy.deepcopy(obj)
    obj["apiVersion"] = api_version(group, version)
    if plural == "horizontalpodautoscalers":
        obj = with_hpa_status(obj, key)
    return obj


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        pass

    def send_json(self, code, body):
        data = json.dumps(body).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def body(self):
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            raw = self.chunked_body()
        else:
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
        return json.loads(raw) if raw.strip() else {}

    def chunked_body(self):
        # `kubectl replace --raw -f FILE` streams the file in chunks.
        raw = b""
        while True:
            size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
            if size == 0:
                while self.rfile.readline().strip():
                    pass  # trailer fields, up to the empty line
                return raw
            raw += self.rfile.read(size)
            self.rfile.readline()

    def do_GET(self):
        self.dispatch("GET")

    def do_POST(self):
        self.dispatch("POST")

    def do_PUT(self):
        self.dispatch("PUT")

    def do_PATCH(self):
        self.dispatch("PATCH")

    def do_DELETE(self):
        self.dispatch("DELETE")

    def dispatch(self, method):
        url = urlsplit(self.path)
        query = parse_qs(url.query)
        try:
            payload = self.body() if method in ("POST", "PUT", "PATCH", "DELETE") else None
        except json.JSONDecodeError as error:
            self.send_json(*status_error(400, "BadRequest", f"body is not JSON: {error}"))
            return
        with STORE.lock:
            STORE.requests.append({"method": method, "path": url.path, "query": url.query})
            if method == "GET" and url.path == "/openapi/v2":
                # kubectl before 1.27 (Debian 12's kubernetes-client is 1.20) reads this protobuf document to
                # validate and patch. An empty message is a valid empty document: no schemas, so kubectl skips
                # validation and falls back to its built-in types.
                self.send_response(200)
                self.send_header("Content-Type", "application/octet-stream")
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            code, body = self.route(method, url.path, query, payload)
        self.send_json(code, body)

    def route(self, method, path, query, payload):
        if method == "GET":
            if path == "/version":
                return 200, {"major": "1", "minor": "32", "gitVersion": "v1.32.4", "platform": "linux/amd64"}
            if path == "/_fake/objects":
                return 200, {"items": [copy.deepcopy(o) for _, o in sorted(STORE.objects.items())]}
            if path == "/_fake/requests":
                return 200, {"items": list(STORE.requests)}
            if path == "/openapi/v3":
                # One entry per group version, so kubectl's validation finds a document for each.
                paths = {}
                for group, version in RESOURCES:
                    gv = "api/v1" if group == "" else f"apis/{group}/{version}"
                    paths[gv] = {"serverRelativeURL": f"/openapi/v3/{gv}?hash=fake"}
                return 200, {"paths": paths}
            if path.startswith("/openapi/v3/"):
                return 200, openapi_document(path[len("/openapi/v3/"):])
            found = discovery(path)
            if found is not None:
                return 200, found
        parts = path.strip("/").split("/")
        if parts[:2] == ["api", "v1"]:
            group, version, rest = "", "v1", parts[2:]
        elif len(parts) >= 3 and parts[0] == "apis":
            group, version, rest = parts[1], parts[2], parts[3:]
        else:
            return status_error(404, "NotFound", f"the server could not find the requested resource ({path})")
        namespace = None
        if len(rest) >= 2 and rest[0] == "namespaces" and len(rest) != 2:
            namespace, rest = rest[1], rest[2:]
        if not rest:
            return status_error(404, "NotFound", f"no resource in {path}")
        entry = kind_of(group, version, rest[0])
        if entry is None:
            return status_error(404, "NotFound", f"the server could not find the requested resource ({path})")
        plural, kind, _, namespaced, subresources = entry
        name = rest[1] if len(rest) > 1 else None
        sub = rest[2] if len(rest) > 2 else None
        if sub is not None and sub not in subresources:
            return status_error(404, "NotFound", f"no subresource {sub} on {plural}")
        dry = "All" in query.get("dryRun", []) or (isinstance(payload, dict) and "All" in payload.get("dryRun", []))
        if plural == "namespaces":
            return self.namespaces(method, name)
        if name is None:
            if method == "GET":
                return self.list(group, version, plural, kind, namespace)
            if method == "POST":
                return self.create(group, version, plural, kind, namespace, payload, dry)
            return status_error(405, "MethodNotAllowed", f"{method} on a collection")
        key = (group, plural, namespace, name)
        obj = STORE.objects.get(key)
        if obj is None:
            return status_error(404, "NotFound", f'{plural}.{group or "core"} "{name}" not found',
                                name, group, plural)
        if sub == "scale":
            return self.scale(method, group, key, obj, payload, dry)
        if method == "GET":
            return 200, shown(group, version, plural, key, obj)
        if method == "DELETE":
            if not dry:
                del STORE.objects[key]
                STORE.explicit_status.discard(key)
            return 200, shown(group, version, plural, key, obj)
        if method in ("PUT", "PATCH"):
            if method == "PUT":
                updated = copy.deepcopy(payload)
            else:
                content = self.headers.get("Content-Type", "")
                if "json-patch" in content:
                    return status_error(415, "UnsupportedMediaType", "JSON patch is not supported by the fake")
                updated = merge(obj, payload, strategic="strategic" in content)
            if sub == "status":
                merged = copy.deepcopy(obj)
                merged["status"] = updated.get("status", {})
                updated = merged
            updated["metadata"] = dict(updated.get("metadata", {}))
            for field in ("uid", "creationTimestamp", "namespace", "name"):
                updated["metadata"][field] = obj["metadata"].get(field)
            updated["metadata"]["resourceVersion"] = STORE.next_version()
            if updated.get("spec") != obj.get("spec"):
                updated["metadata"]["generation"] = obj["metadata"].get("generation", 1) + 1
            if not dry:
                STORE.objects[key] = updated
                if sub == "status":
                    STORE.explicit_status.add(key)
            return 200, shown(group, version, plural, key, updated)
        return status_error(405, "MethodNotAllowed", f"{method} on {path}")

    def namespaces(self, method, name):
        if method != "GET":
            return status_error(405, "MethodNotAllowed", "namespaces are read-only in the fake")
        item = lambda n: {"kind": "Namespace", "apiVersion": "v1", "metadata": {"name": n},
                          "status": {"phase": "Active"}}
        if name is None:
            names = sorted({k[2] for k in STORE.objects if k[2]} | {"default"})
            return 200, {"kind": "NamespaceList", "apiVersion": "v1", "metadata": {},
                         "items": [item(n) for n in names]}
        return 200, item(name)

    def list(self, group, version, plural, kind, namespace):
        items = []
        for key, obj in sorted(STORE.objects.items()):
            if key[0] == group and key[1] == plural and (namespace is None or key[2] == namespace):
                items.append(shown(group, version, plural, key, obj))
        return 200, {"kind": f"{kind}List", "apiVersion": api_version(group, version),
                     "metadata": {"resourceVersion": str(STORE.version)}, "items": items}

    def create(self, group, version, plural, kind, namespace, payload, dry):
        metadata = payload.setdefault("metadata", {})
        name = metadata.get("name")
        if not name:
            return status_error(422, "Invalid", f"{kind} has no metadata.name")
        if metadata.get("namespace", namespace) != namespace:
            return status_error(400, "BadRequest", "the namespace of the object does not match the request")
        key = (group, plural, namespace, name)
        if key in STORE.objects:
            return status_error(409, "AlreadyExists", f'{plural}.{group or "core"} "{name}" already exists',
                                name, group, plural)
        metadata.update({"namespace": namespace, "uid": str(uuid.uuid4()), "generation": 1,
                         "resourceVersion": STORE.next_version(),
                         "creationTimestamp": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")})
        payload["kind"] = kind
        if plural in ("deployments", "statefulsets"):
            payload.setdefault("spec", {}).setdefault("replicas", 1)
        if not dry:
            STORE.objects[key] = payload
        return 201, shown(group, version, plural, key, payload)

    def scale(self, method, group, key, obj, payload, dry):
        def as_scale(o):
            replicas = o.get("spec", {}).get("replicas", 1)
            return {"kind": "Scale", "apiVersion": "autoscaling/v1",
                    "metadata": {"name": key[3], "namespace": key[2],
                                 "resourceVersion": o["metadata"].get("resourceVersion")},
                    "spec": {"replicas": replicas}, "status": {"replicas": replicas}}
        if method == "GET":
            return 200, as_scale(obj)
        if method not in ("PUT", "PATCH"):
            return status_error(405, "MethodNotAllowed", f"{method} on scale")
        replicas = (payload or {}).get("spec", {}).get("replicas")
        if not isinstance(replicas, int) or replicas < 0:
            return status_error(422, "Invalid", f"spec.replicas must be a non-negative integer, got {replicas!r}")
        updated = copy.deepcopy(obj)
        updated.setdefault("spec", {})["replicas"] = replicas
        updated["metadata"]["resourceVersion"] = STORE.next_version()
        if not dry:
            STORE.objects[key] = updated
        return 200, as_scale(updated)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--exit-on-stdin-eof", action="store_true", help="stop when stdin closes")
    args = parser.parse_args()
    server = ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    server.daemon_threads = True
    if args.exit_on_stdin_eof:
        # The test holds our stdin open; when it goes away (even killed), so do we.
        def watch_stdin():
            while sys.stdin.buffer.read(1024):
                pass
            os._exit(0)
        threading.Thread(target=watch_stdin, daemon=True).start()
    print(f"listening {server.server_address[1]}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
