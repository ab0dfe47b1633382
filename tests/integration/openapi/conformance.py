#!/usr/bin/python3
"""Checks a running popd-rest against openapi/pop.yaml, so the spec cannot drift from the server.

Starts popd-rest (POPD_BIN) with its own name, database, port and address pool, drives every
operation of the spec including its error replies, and validates each reply against the
schema the spec documents for that operation and status. Fails when a status is not
documented, a body does not match, an operation of the spec was never exercised, or a route of
services/popd-rest/routes.c is missing from the spec (or the spec has one the server lacks).
Everything popd-rest created on the engine (labelled org.pop-nfv.pop=<name>) is removed on
exit, also on failure.

usage: conformance.py --spec openapi/pop.yaml --routes services/popd-rest/routes.c
"""

import argparse
import copy
import http.client
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

import jsonschema
import yaml

# The helpers shared with the other integration tests and the benchmarks.
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from netutil import free_port  # noqa: E402

IMAGE = "pop-tiny:latest"
BODY_MAX = 8192  # POPD_BODY_MAX of the server under test, so a 413 needs only a small body
METHODS = ("get", "put", "post", "delete", "patch", "head", "options", "trace")
# OpenAPI keywords that are not JSON Schema validation keywords.
OPENAPI_ONLY = ("nullable", "discriminator", "readOnly", "writeOnly", "xml", "externalDocs",
                "example", "deprecated")
# Properties a response schema may leave optional; every other property must be required.
OPTIONAL_RESPONSE_PROPERTIES = {("Problem", "field")}


class ConformanceError(Exception):
    pass


def log(msg):
    print(msg, flush=True)


# ---------------------------------------------------------------------------------------------
# The spec: $ref resolution, OpenAPI 3.0 schema -> JSON Schema, path matching, strictness lint.

class Spec:
    def __init__(self, path):
        with open(path, encoding="utf-8") as f:
            self.doc = yaml.safe_load(f)
        if not str(self.doc.get("openapi", "")).startswith("3.0."):
            raise ConformanceError("%s: not an OpenAPI 3.0 document" % path)
        self.ops = {}  # (template, method) -> operation (resolved)
        self.templates = []  # (regex, template)
        for template, item in self.doc["paths"].items():
            shared = item.get("parameters", [])
            for method in METHODS:
                if method in item:
                    op = dict(item[method])
                    op["parameters"] = shared + op.get("parameters", [])
                    self.ops[(template, method.upper())] = self.resolve(op)
            rx = "^" + re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(template)) + "$"
            self.templates.append((re.compile(rx), template))

    def lookup(self, ref):
        if not ref.startswith("#/"):
            raise ConformanceError("only local $ref is supported: %s" % ref)
        node = self.doc
        for part in ref[2:].split("/"):
            if part not in node:
                raise ConformanceError("dangling $ref %s" % ref)
            node = node[part]
        return node

    def resolve(self, node, seen=()):
        """A deep copy of node with every $ref replaced by its target."""
        if isinstance(node, dict):
            if "$ref" in node:
                ref = node["$ref"]
                if ref in seen:
                    raise ConformanceError("recursive $ref %s" % ref)
                return self.resolve(self.lookup(ref), seen + (ref,))
            return {k: self.resolve(v, seen) for k, v in node.items()}
        if isinstance(node, list):
            return [self.resolve(v, seen) for v in node]
        return node

    @staticmethod
    def to_jsonschema(schema):
        """OpenAPI 3.0 schema object (resolved) -> JSON Schema: nullable becomes anyOf null."""
        if isinstance(schema, list):
            return [Spec.to_jsonschema(s) for s in schema]
        if not isinstance(schema, dict):
            return schema
        out = {}
        for k, v in schema.items():
            if k in OPENAPI_ONLY:
                continue
            if k in ("properties",):
                out[k] = {name: Spec.to_jsonschema(s) for name, s in v.items()}
            elif isinstance(v, (dict, list)):
                out[k] = Spec.to_jsonschema(v)
            else:
                out[k] = v
        if schema.get("nullable") is True:
            return {"anyOf": [{"type": "null"}, out]}
        return out

    def validator(self, schema):
        js = self.to_jsonschema(schema)
        jsonschema.Draft7Validator.check_schema(js)
        return jsonschema.Draft7Validator(js, format_checker=jsonschema.FormatChecker())

    def match(self, method, path):
        path = path.split("?", 1)[0]
        for rx, template in self.templates:
            if rx.match(path):
                return template, self.ops.get((template, method))
        return None, None

    def schema_named(self, name):
        return self.resolve(self.doc["components"]["schemas"][name])


def lint_spec(spec):
    """Strictness rules: a drift must fail validation, so schemas may not be open."""
    problems = []
    schemas = spec.doc["components"]["schemas"]

    def walk(node, where):
        if isinstance(node, dict):
            if "properties" in node and node.get("additionalProperties") is not False:
                problems.append("%s: has properties but not additionalProperties: false" % where)
            if node.get("type") == "object" and "properties" not in node and \
                    "additionalProperties" not in node and "allOf" not in node:
                problems.append("%s: an object with neither properties nor a value schema" % where)
            for k, v in node.items():
                walk(v, "%s.%s" % (where, k))
        elif isinstance(node, list):
            for i, v in enumerate(node):
                walk(v, "%s[%d]" % (where, i))

    for name, s in schemas.items():
        walk(s, "components.schemas." + name)

    # Every schema reachable from a response lists all its properties as required.
    reachable, todo = set(), []

    def refs(node):
        if isinstance(node, dict):
            if "$ref" in node and node["$ref"].startswith("#/components/schemas/"):
                todo.append(node["$ref"].rsplit("/", 1)[1])
            for v in node.values():
                refs(v)
        elif isinstance(node, list):
            for v in node:
                refs(v)

    for item in spec.doc["paths"].values():
        for method in METHODS:
            if method in item:
                refs(item[method].get("responses", {}))
    refs(spec.doc["components"].get("responses", {}))
    while todo:
        name = todo.pop()
        if name in reachable:
            continue
        reachable.add(name)
        refs(schemas[name])
    for name in sorted(reachable):
        s = schemas[name]
        props = set(s.get("properties", {}))
        missing = props - set(s.get("required", [])) - \
            {p for (n, p) in OPTIONAL_RESPONSE_PROPERTIES if n == name}
        if missing:
            problems.append("components.schemas.%s: response properties not required: %s" %
                            (name, ", ".join(sorted(missing))))

    for (template, method), op in spec.ops.items():
        where = "%s %s" % (method, template)
        if not op.get("operationId"):
            problems.append("%s: no operationId" % where)
        public = op.get("security") == []
        if not public and "401" not in op["responses"]:
            problems.append("%s: needs a token but does not document 401" % where)
        if "requestBody" in op:
            for code in ("400", "413", "415"):
                if code not in op["responses"]:
                    problems.append("%s: takes a JSON body but does not document %s" %
                                    (where, code))
        for code, resp in op["responses"].items():
            if int(code) >= 400 and code != "503" and \
                    "application/problem+json" not in resp.get("content", {}):
                problems.append("%s %s: an error that is not application/problem+json" %
                                (where, code))
    if problems:
        raise ConformanceError("the spec is not strict enough:\n  " + "\n  ".join(problems))


def parse_routes(path):
    """The route table of routes.c: [(method, pattern, flags)]."""
    with open(path, encoding="utf-8") as f:
        text = f.read()
    table = re.search(r"struct http_route routes\[\]\s*=\s*\{(.*?)\n\};", text, re.S)
    if not table:
        raise ConformanceError("%s: no route table found" % path)
    routes = re.findall(r'\{\s*"([A-Z]+)"\s*,\s*"([^"]+)"\s*,\s*\w+\s*,\s*([^}]*?)\s*\}',
                        table.group(1))
    if not routes:
        raise ConformanceError("%s: the route table is empty" % path)
    return [(m, p, set(re.findall(r"HTTP_ROUTE_\w+", flags))) for m, p, flags in routes]


def check_routes(spec, routes):
    def norm(p):
        return re.sub(r"\{[^}]*\}", "{}", p)

    problems = []
    spec_ops = {(norm(t), m): op for (t, m), op in spec.ops.items()}
    server_ops = set()
    for method, pattern, flags in routes:
        key = (norm(pattern), method)
        server_ops.add(key)
        op = spec_ops.get(key)
        if op is None:
            problems.append("routes.c has %s %s but the spec does not" % (method, pattern))
            continue
        public = op.get("security") == []
        if public != ("HTTP_ROUTE_PUBLIC" in flags):
            problems.append("%s %s: public in %s but not in the other" %
                            (method, pattern, "routes.c" if not public else "the spec"))
        takes_json = "application/json" in op.get("requestBody", {}).get("content", {})
        if takes_json != ("HTTP_ROUTE_JSON" in flags):
            problems.append("%s %s: JSON body in %s but not in the other" %
                            (method, pattern, "routes.c" if not takes_json else "the spec"))
    for key in spec_ops:
        if key not in server_ops:
            problems.append("the spec has %s %s but routes.c does not" % (key[1], key[0]))
    if problems:
        raise ConformanceError("spec and route table disagree:\n  " + "\n  ".join(problems))
    log("ok: %d routes of routes.c match the spec" % len(routes))


# ---------------------------------------------------------------------------------------------
# The server under test.

def docker(*args, check=True):
    return subprocess.run(["docker"] + list(args), stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, text=True, check=check, timeout=60).stdout


class Popd:
    def __init__(self, binary):
        self.binary = binary
        self.name = "oapi%d" % os.getpid()
        self.work = tempfile.mkdtemp(prefix="popd-oapi.")
        self.port = free_port()
        self.user, self.password = "tester", "tester-pass-%d" % os.getpid()
        self.proc = None
        self.logf = None

    def start(self):
        env = dict(os.environ)
        env.update({
            "POPD_NAME": self.name,
            "POPD_AUTH": "%s:%s" % (self.user, self.password),
            "POPD_PASSWORD_ITERATIONS": "1000",
            "POPD_DB": os.path.join(self.work, "popd.db"),
            "POPD_PORT": str(self.port),
            # A /16 pool private to this run; popd-rest skips subnets the engine already uses.
            "POPD_POOLS": "10.%d.0.0/16/24" % (200 + os.getpid() % 50),
            "POPD_STOP_TIMEOUT": "1",
            "POPD_BODY_MAX": str(BODY_MAX),
        })
        self.logf = open(os.path.join(self.work, "popd.log"), "ab")
        self.proc = subprocess.Popen([self.binary], env=env, stdout=self.logf,
                                     stderr=subprocess.STDOUT)
        for _ in range(100):
            if self.proc.poll() is not None:
                raise ConformanceError("popd-rest exited during start-up")
            try:
                c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=2)
                c.request("GET", "/healthz")
                if c.getresponse().status == 200:
                    c.close()
                    return
                c.close()
            except OSError:
                pass
            time.sleep(0.1)
        raise ConformanceError("popd-rest did not become healthy")

    def cleanup(self, failed):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if self.logf:
            self.logf.close()
        # Only what this run's Pop created: everything carries org.pop-nfv.pop=<its name>.
        label = "label=org.pop-nfv.pop=%s" % self.name
        try:
            ids = docker("ps", "-aq", "--filter", label, check=False).split()
            if ids:
                docker("rm", "-f", *ids, check=False)
            ids = docker("network", "ls", "-q", "--filter", label, check=False).split()
            if ids:
                docker("network", "rm", *ids, check=False)
        except (OSError, subprocess.SubprocessError) as e:
            log("cleanup: %s" % e)
        logpath = os.path.join(self.work, "popd.log")
        if failed and os.path.exists(logpath):
            with open(logpath, encoding="utf-8", errors="replace") as f:
                lines = f.readlines()
            sys.stderr.write("---- last lines of popd.log ----\n" + "".join(lines[-40:]))
        shutil.rmtree(self.work, ignore_errors=True)


# ---------------------------------------------------------------------------------------------
# The client: every reply is checked against the spec as it arrives.

class Reply:
    def __init__(self, status, headers, raw):
        self.status = status
        self.headers = headers
        self.raw = raw
        self.json = None
        ctype = self.content_type()
        if raw and (ctype == "application/json" or ctype.endswith("+json")):
            self.json = json.loads(raw.decode("utf-8"))

    def content_type(self):
        return self.headers.get("content-type", "").split(";", 1)[0].strip().lower()


class Checker:
    def __init__(self, spec, popd):
        self.spec = spec
        self.popd = popd
        self.token = None
        self.exercised = {}  # (template, method) -> set of statuses
        self.validators = {}
        self.problem = spec.validator(spec.schema_named("Problem"))
        self.n_checked = 0

    def _validator(self, key, schema):
        if key not in self.validators:
            self.validators[key] = self.spec.validator(schema)
        return self.validators[key]

    def send(self, method, path, body=None, token=True, content_type="application/json",
             raw=None, headers=None):
        hdrs = dict(headers or {})
        if token is True and self.token:
            hdrs["Authorization"] = "Bearer " + self.token
        elif isinstance(token, str):
            hdrs["Authorization"] = "Bearer " + token
        data = raw
        if body is not None:
            data = json.dumps(body).encode()
        if data is not None and content_type:
            hdrs["Content-Type"] = content_type
        c = http.client.HTTPConnection("127.0.0.1", self.popd.port, timeout=60)
        try:
            c.request(method, path, body=data, headers=hdrs)
            r = c.getresponse()
            reply = Reply(r.status, {k.lower(): v for k, v in r.getheaders()}, r.read())
        finally:
            c.close()
        return reply

    def call(self, method, path, body=None, expect=None, **kw):
        """Sends one request of a spec operation, validates the reply against the spec and
        checks the status is the one this step of the scenario expects."""
        reply = self.send(method, path, body=body, **kw)
        where = "%s %s -> %d" % (method, path, reply.status)
        self.check_operation(method, path, body, reply, where)
        if expect is not None and reply.status != expect:
            raise ConformanceError("%s: expected %d; body: %s" %
                                   (where, expect, reply.raw[:400].decode(errors="replace")))
        return reply

    def check_common(self, reply, where):
        rid = reply.headers.get("x-request-id")
        if not rid:
            raise ConformanceError("%s: no X-Request-Id header" % where)
        if reply.content_type() == "application/problem+json":
            p = reply.json
            self.validate(self.problem, p, where + " (Problem)")
            if p["status"] != reply.status:
                raise ConformanceError("%s: problem status %d differs from the HTTP status" %
                                       (where, p["status"]))
            if p["type"] != "https://pop-nfv.dev/problems/" + p["code"]:
                raise ConformanceError("%s: problem type %s does not end with its code %s" %
                                       (where, p["type"], p["code"]))
            if p["request_id"] != rid:
                raise ConformanceError("%s: problem request_id differs from X-Request-Id" %
                                       where)

    def validate(self, validator, instance, where):
        errors = sorted(validator.iter_errors(instance), key=lambda e: list(e.absolute_path))
        if errors:
            lines = ["%s: %s" % ("/".join(str(p) for p in e.absolute_path) or "(body)",
                                 e.message) for e in errors[:8]]
            raise ConformanceError("%s: body does not match the spec:\n  %s\n  body: %s" %
                                   (where, "\n  ".join(lines), json.dumps(instance)[:600]))
        self.n_checked += 1

    def check_operation(self, method, path, req_body, reply, where):
        template, op = self.spec.match(method, path)
        if op is None:
            raise ConformanceError("%s: not an operation of the spec" % where)
        self.exercised.setdefault((template, method), set()).add(reply.status)
        resp = op["responses"].get(str(reply.status))
        if resp is None:
            raise ConformanceError("%s: status %d is not documented for %s %s (documented: %s)" %
                                   (where, reply.status, method, template,
                                    ", ".join(sorted(op["responses"]))))
        self.check_common(reply, where)
        for name in resp.get("headers", {}):
            if name.lower() not in reply.headers:
                raise ConformanceError("%s: documented header %s is missing" % (where, name))
        content = resp.get("content")
        if not content:
            if reply.raw:
                raise ConformanceError("%s: documented without a body, got %r" %
                                       (where, reply.raw[:200]))
        else:
            ctype = reply.content_type()
            if ctype not in content:
                raise ConformanceError("%s: Content-Type %r is not documented (%s)" %
                                       (where, ctype, ", ".join(content)))
            schema = content[ctype]["schema"]
            if reply.json is not None:
                v = self._validator((template, method, reply.status, ctype), schema)
                self.validate(v, reply.json, where)
            elif schema.get("type") == "string":
                reply.raw.decode("utf-8")
                self.n_checked += 1
            else:
                raise ConformanceError("%s: expected a JSON body" % where)
        # The request schema must accept what the server accepted, and reject unknown fields.
        req_schema = op.get("requestBody", {}).get("content", {}).get("application/json", {})
        if req_body is not None and "schema" in req_schema:
            v = self._validator((template, method, "request"), req_schema["schema"])
            ok = v.is_valid(req_body)
            if 200 <= reply.status < 300 and not ok:
                raise ConformanceError("%s: the server accepted a body the spec rejects: %s" %
                                       (where, json.dumps(req_body)))
            if reply.json and reply.json.get("code") == "unknown-field" and ok:
                raise ConformanceError("%s: the spec accepts a field the server rejects: %s" %
                                       (where, json.dumps(req_body)))

    def check_generic(self, method, path, expect, where_extra=""):
        """A reply outside every operation (405, unknown path): still one Problem shape."""
        reply = self.send(method, path)
        where = "%s %s -> %d%s" % (method, path, reply.status, where_extra)
        if reply.status != expect:
            raise ConformanceError("%s: expected %d" % (where, expect))
        if reply.content_type() != "application/problem+json":
            raise ConformanceError("%s: not application/problem+json" % where)
        self.check_common(reply, where)
        return reply

    def coverage(self):
        missing = sorted("%s %s" % (m, t) for (t, m) in self.spec.ops if (t, m) not in
                         self.exercised)
        if missing:
            raise ConformanceError("operations of the spec never exercised:\n  " +
                                   "\n  ".join(missing))
        for (t, m) in sorted(self.spec.ops):
            documented = set(self.spec.ops[(t, m)]["responses"])
            seen = {str(s) for s in self.exercised[(t, m)]}
            log("  %-6s %-32s seen %s; not seen %s" % (m, t, ",".join(sorted(seen)),
                                                       ",".join(sorted(documented - seen)) or "-"))


# ---------------------------------------------------------------------------------------------
# The scenario: every operation, its success and its client errors.

def expect_code(reply, code, where):
    got = reply.json.get("code") if isinstance(reply.json, dict) else None
    if got != code:
        raise ConformanceError("%s: expected problem code %s, got %s" % (where, code, got))


def wait_status(ck, ref, wanted, timeout=30):
    deadline = time.time() + timeout
    while True:
        c = ck.call("GET", "/v1/containers/" + ref, expect=200).json
        if c["status"] in wanted:
            return c
        if time.time() > deadline:
            raise ConformanceError("container %s stayed %s, wanted %s" %
                                   (ref, c["status"], "/".join(wanted)))
        time.sleep(0.2)


def self_test_validator(ck, container):
    """The validator must be able to fail, or every check above proves nothing."""
    v = ck.spec.validator(ck.spec.schema_named("Container"))
    mutants = {"an extra field": dict(container, bogus=1),
               "a missing field": {k: x for k, x in container.items() if k != "status"},
               "an unknown status": dict(container, status="PAUSED"),
               "a string timestamp": dict(container, created=str(container["created"]))}
    ep = copy.deepcopy(container)
    next(iter(ep["endpoints"].values()))["ipv6"] = "::1"
    mutants["a non-null ipv6 string"] = ep
    for what, m in mutants.items():
        if v.is_valid(m):
            raise ConformanceError("self-test: a Container with %s passed validation" % what)
    if not v.is_valid(container):
        raise ConformanceError("self-test: the real Container failed validation")


def scenario(ck):
    pd = ck.popd
    tag = str(os.getpid())

    # Public operations and the session.
    ck.call("GET", "/healthz", expect=200)
    head = ck.send("HEAD", "/healthz")
    if head.status != 200 or head.raw:
        raise ConformanceError("HEAD /healthz: expected 200 without a body, got %d" % head.status)
    r = ck.call("GET", "/v1/info", token=False, expect=401)
    expect_code(r, "unauthorized", "GET /v1/info without a token")
    ck.call("GET", "/v1/info", token="not.a.jwt", expect=401)
    ck.call("GET", "/metrics", token=False, expect=401)
    ck.call("POST", "/v1/login", {"username": pd.user, "password": "wrong"}, expect=401)
    r = ck.call("POST", "/v1/login", {"username": pd.user, "password": pd.password, "otp": "1"},
                expect=400)
    expect_code(r, "unknown-field", "login with an unknown field")
    r = ck.call("POST", "/v1/login", raw=b"{\"username\":", expect=400)
    expect_code(r, "bad-json", "login with broken JSON")
    ck.call("POST", "/v1/login", {"username": pd.user, "password": pd.password},
            content_type="text/plain", expect=415)
    ck.call("POST", "/v1/login", raw=b"{\"username\":\"" + b"x" * BODY_MAX + b"\"}",
            expect=413)
    # Failed logins for one account are slowed down: the first few are free, then 429.
    ghost = {"username": "ghost" + tag, "password": "nope"}
    statuses = [ck.call("POST", "/v1/login", ghost).status for _ in range(8)]
    if 429 not in statuses or statuses[0] != 401:
        raise ConformanceError("repeated failed logins gave %s, wanted 401s then 429" % statuses)
    r = ck.call("POST", "/v1/login", {"username": pd.user, "password": pd.password},
                expect=200)
    ck.token = r.json["value"]
    if r.json["expires_at"] <= time.time():
        raise ConformanceError("login: the token expires in the past")

    # Every operation the spec says needs a token refuses a request without one.
    for (template, method), op in sorted(ck.spec.ops.items()):
        if op.get("security") == [] or method == "HEAD":
            continue
        body = {} if "requestBody" in op else None
        ck.call(method, template.replace("{ref}", "oapi-none"), body, token=False, expect=401)

    info = ck.call("GET", "/v1/info", expect=200).json
    if info["name"] != pd.name:
        raise ConformanceError("GET /v1/info: name %s, wanted %s" % (info["name"], pd.name))
    metrics = ck.call("GET", "/metrics", expect=200)
    if b"popd_containers{" not in metrics.raw:
        raise ConformanceError("GET /metrics: no popd_containers gauge")

    # Catalogue.
    flavours = ck.call("GET", "/v1/flavours", expect=200).json["list"]
    if "docker.container" not in [f["id"] for f in flavours]:
        raise ConformanceError("GET /v1/flavours: no docker.container flavour")
    small = ck.call("GET", "/v1/flavours?name=small", expect=200).json["list"]
    if [f["id"] for f in small] != ["small"]:
        raise ConformanceError("GET /v1/flavours?name=small returned %s" % small)
    images = ck.call("GET", "/v1/images?name=" + IMAGE, expect=200).json["list"]
    if len(images) != 1 or IMAGE not in images[0]["names"]:
        raise ConformanceError("GET /v1/images?name=%s returned %s" % (IMAGE, images))
    by_id = ck.call("GET", "/v1/images?id=" + images[0]["id"], expect=200).json["list"]
    if [i["id"] for i in by_id] != [images[0]["id"]]:
        raise ConformanceError("GET /v1/images?id= did not find the image")
    ck.call("GET", "/v1/images", expect=200)

    # Networks.
    nets = ck.call("GET", "/v1/networks", expect=200).json["list"]
    if "private" not in [n["name"] for n in nets]:
        raise ConformanceError("GET /v1/networks: no default network 'private'")
    net_name = "oapi-link"
    net = ck.call("POST", "/v1/networks", {"name": net_name, "internal": True}, expect=201).json
    r = ck.call("POST", "/v1/networks", {"name": net_name}, expect=409)
    expect_code(r, "conflict", "a second network with the same name")
    r = ck.call("POST", "/v1/networks", {"name": "x", "mtu": 1400}, expect=400)
    expect_code(r, "unknown-field", "network with an unknown field")
    r = ck.call("POST", "/v1/networks", {"name": "x", "cidr": "10.1.2.3/33"}, expect=400)
    expect_code(r, "invalid-field", "network with a bad cidr")
    ck.call("POST", "/v1/networks", {"name": "x"}, content_type="text/plain", expect=415)
    ck.call("POST", "/v1/networks", raw=b"{\"name\":\"" + b"n" * BODY_MAX + b"\"}", expect=413)
    got = ck.call("GET", "/v1/networks/" + net_name, expect=200).json
    if got["id"] != net["id"]:
        raise ConformanceError("GET /v1/networks/%s: another network" % net_name)
    ck.call("GET", "/v1/networks/" + net["id"], expect=200)
    only = ck.call("GET", "/v1/networks?name=" + net_name, expect=200).json["list"]
    if [n["id"] for n in only] != [net["id"]]:
        raise ConformanceError("GET /v1/networks?name= did not filter")
    ck.call("GET", "/v1/networks/no-such-net", expect=404)
    ck.call("GET", "/v1/networks/-bad", expect=400)
    r = ck.call("DELETE", "/v1/networks/private", expect=403)
    expect_code(r, "forbidden", "deleting the default network")

    # Create: addresses reserved, nothing on the engine yet.
    subnet = net["subnets"][0]
    base = subnet["cidr"].split("/")[0].rsplit(".", 1)[0]
    want_ip = base + ".10"
    cfg = {"name": "oapi-c1", "image_id": IMAGE, "flavour_id": "small",
           "endpoints": {net_name: {"ipv4": {"address": want_ip}}, "private": {}}}
    c1 = ck.call("POST", "/v1/containers", cfg, expect=201).json
    self_test_validator(ck, c1)
    if c1["status"] != "CREATED" or c1["endpoints"][net_name]["ipv4"]["address"] != want_ip:
        raise ConformanceError("create: wanted CREATED with %s, got %s" % (want_ip, c1))
    r = ck.call("POST", "/v1/containers", cfg, expect=409)
    expect_code(r, "conflict", "a second container with the same name")
    r = ck.call("POST", "/v1/containers", dict(cfg, name="oapi-c9", privileged=True), expect=400)
    expect_code(r, "unknown-field", "container with an unknown field")
    r = ck.call("POST", "/v1/containers", {"name": "oapi-c9", "image_id": IMAGE,
                                           "flavour_id": "huge"}, expect=400)
    expect_code(r, "invalid-field", "container with an unknown flavour")
    r = ck.call("POST", "/v1/containers", {"name": "oapi-c9", "image_id": IMAGE,
                                           "endpoints": {net_name: {"ipv4": {"address": want_ip}}}},
                expect=409)
    expect_code(r, "conflict", "an address already reserved")
    ck.call("POST", "/v1/containers", cfg, content_type="text/plain", expect=415)
    ck.call("POST", "/v1/containers", raw=b"{\"name\":\"" + b"c" * BODY_MAX + b"\"}",
            expect=413)
    ck.call("POST", "/v1/containers", {"name": "oapi-c9"}, token=False, expect=401)

    lst = ck.call("GET", "/v1/containers", expect=200).json["list"]
    if c1["id"] not in [c["id"] for c in lst]:
        raise ConformanceError("GET /v1/containers: the new container is missing")
    for q in ("name=oapi-c1", "id=" + c1["id"]):
        only = ck.call("GET", "/v1/containers?" + q, expect=200).json["list"]
        if [c["id"] for c in only] != [c1["id"]]:
            raise ConformanceError("GET /v1/containers?%s returned %d containers" % (q, len(only)))
    r = ck.call("GET", "/v1/containers?name=bad%20name", expect=400)
    expect_code(r, "bad-query", "a malformed name filter")
    ck.call("GET", "/v1/containers/oapi-c1", expect=200)
    ck.call("GET", "/v1/containers/" + c1["id"], expect=200)
    ck.call("GET", "/v1/containers/oapi-nothing", expect=404)
    r = ck.call("GET", "/v1/containers/bad%20name", expect=400)
    expect_code(r, "bad-request", "a malformed container reference")

    # Metadata before start.
    md_path = "/v1/containers/oapi-c1/metadata"
    c = ck.call("PATCH", md_path, {"entries": {"GREETING": "hello", "DROP": "x"}}, expect=200).json
    c = ck.call("PATCH", md_path, {"entries": {"DROP": ""}}, expect=200).json
    if c["md"] != {"GREETING": "hello"}:
        raise ConformanceError("metadata merge: got %s" % c["md"])
    r = ck.call("PATCH", md_path, {"entries": {"A": "1"}, "md": {}}, expect=400)
    expect_code(r, "unknown-field", "metadata with an unknown field")
    r = ck.call("PATCH", md_path + "?apply=later", {"entries": {"A": "1"}}, expect=400)
    expect_code(r, "bad-query", "metadata with apply=later")
    ck.call("PATCH", md_path, {"entries": {"A": "1"}}, content_type="text/plain", expect=415)
    ck.call("PATCH", md_path, raw=b"{\"entries\":{\"A\":\"" + b"v" * BODY_MAX + b"\"}}",
            expect=413)
    c = ck.call("PATCH", md_path + "?apply=recreate", {"entries": {"A": "1"}}, expect=200).json
    if c.get("status") != "CREATED" or c.get("md", {}).get("A") != "1":
        raise ConformanceError("apply=recreate on a CREATED container should just store: %s" % c)
    ck.call("PATCH", md_path, {"entries": {"A": ""}}, expect=200)
    ck.call("PATCH", "/v1/containers/oapi-nothing/metadata", {"entries": {}}, expect=404)

    # A network in use cannot go.
    r = ck.call("DELETE", "/v1/networks/" + net_name, expect=409)
    expect_code(r, "conflict", "deleting a network in use")

    # Start: CREATED -> RUNNING, with the metadata as environment.
    c = ck.call("POST", "/v1/containers/oapi-c1/start", expect=200).json
    if c["status"] != "RUNNING" or c["started"] <= 0:
        raise ConformanceError("start: wanted RUNNING with a start time, got %s" % c["status"])
    env = docker_env(c1["id"], pd.name)
    if "GREETING=hello" not in env:
        raise ConformanceError("start: the metadata is not in the environment: %s" % env)
    r = ck.call("POST", "/v1/containers/oapi-c1/start", expect=409)
    expect_code(r, "state-conflict", "starting a RUNNING container")
    r = ck.call("PATCH", md_path, {"entries": {"GREETING": "again"}}, expect=409)
    expect_code(r, "state-conflict", "metadata on a RUNNING container without apply")
    c = ck.call("PATCH", md_path + "?apply=recreate", {"entries": {"GREETING": "again"}},
                expect=200).json
    if c["status"] != "RUNNING" or c["endpoints"][net_name]["ipv4"]["address"] != want_ip:
        raise ConformanceError("apply=recreate: wanted RUNNING on %s, got %s" % (want_ip, c))
    env = docker_env(c1["id"], pd.name)
    if "GREETING=again" not in env:
        raise ConformanceError("apply=recreate: the new value is not in the environment: %s" %
                               env)
    ck.call("POST", "/v1/containers/oapi-nothing/start", expect=404)
    ck.call("POST", "/v1/containers/-x/start", expect=400)

    # Stop: RUNNING -> STOPPING -> EXITED, asynchronously.
    c = ck.call("POST", "/v1/containers/oapi-c1/stop", expect=202).json
    if c["status"] not in ("STOPPING", "EXITED"):
        raise ConformanceError("stop: wanted STOPPING, got %s" % c["status"])
    c = wait_status(ck, "oapi-c1", ("EXITED", "FAILED"))
    if c["status"] != "EXITED":
        raise ConformanceError("stop: ended %s (%s)" % (c["status"], c["extended_status"]))
    for op in ("stop", "start"):
        r = ck.call("POST", "/v1/containers/oapi-c1/" + op, expect=409)
        expect_code(r, "state-conflict", "%s on an EXITED container" % op)
    ck.call("POST", "/v1/containers/oapi-nothing/stop", expect=404)
    ck.call("POST", "/v1/containers/-x/stop", expect=400)

    # An image the engine does not have: Create succeeds, Start is refused.
    c2 = ck.call("POST", "/v1/containers", {"name": "oapi-c2",
                                            "image_id": "pop-oapi-absent:" + tag}, expect=201).json
    if list(c2["endpoints"]) != ["private"]:
        raise ConformanceError("create without endpoints: got %s" % list(c2["endpoints"]))
    r = ck.call("POST", "/v1/containers/oapi-c2/start", expect=409)
    expect_code(r, "conflict", "starting with an absent image")

    # Delete: nothing left, then the network can go.
    ck.call("DELETE", "/v1/containers/oapi-c1", expect=204)
    ck.call("DELETE", "/v1/containers/" + c2["id"], expect=204)
    ck.call("GET", "/v1/containers/oapi-c1", expect=404)
    ck.call("DELETE", "/v1/containers/oapi-c1", expect=404)
    ck.call("DELETE", "/v1/containers/-x", expect=400)
    if docker("ps", "-aq", "--filter", "label=org.pop-nfv.container-id=" + c1["id"]).split():
        raise ConformanceError("DELETE left a Docker container behind")
    ck.call("DELETE", "/v1/networks/" + net_name, expect=204)
    ck.call("DELETE", "/v1/networks/" + net_name, expect=404)
    ck.call("DELETE", "/v1/networks/-x", expect=400)

    # Replies outside every operation keep the Problem shape.
    r = ck.check_generic("PUT", "/v1/containers", 405)
    if "allow" not in r.headers:
        raise ConformanceError("405 without an Allow header")
    ck.check_generic("GET", "/v1/no-such-resource", 404)

    # Logout revokes the token.
    ck.call("POST", "/v1/logout", expect=204)
    r = ck.call("GET", "/v1/info", expect=401)
    ck.call("POST", "/v1/logout", expect=401)


def docker_env(pop_id, pop_name):
    ids = docker("ps", "-q", "--filter", "label=org.pop-nfv.container-id=" + pop_id,
                 "--filter", "label=org.pop-nfv.pop=" + pop_name).split()
    if len(ids) != 1:
        raise ConformanceError("wanted one running Docker container for %s, found %d" %
                               (pop_id, len(ids)))
    return json.loads(docker("inspect", "-f", "{{json .Config.Env}}", ids[0]))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    ap.add_argument("--spec", required=True)
    ap.add_argument("--routes", required=True)
    ap.add_argument("--image-build", help="script that builds %s when it is missing" % IMAGE)
    args = ap.parse_args()
    binary = os.environ.get("POPD_BIN")
    if not binary or not os.access(binary, os.X_OK):
        log("POPD_BIN must name the popd-rest binary")
        return 2

    spec = Spec(args.spec)
    lint_spec(spec)
    log("ok: the spec is strict (%d operations)" % len(spec.ops))
    check_routes(spec, parse_routes(args.routes))

    if subprocess.run(["docker", "image", "inspect", IMAGE], stdout=subprocess.DEVNULL,
                      stderr=subprocess.DEVNULL).returncode != 0:
        if not args.image_build:
            raise ConformanceError("%s is missing; run make images" % IMAGE)
        subprocess.run([args.image_build], check=True)

    popd = Popd(binary)
    failed = True

    def on_signal(signum, frame):
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    try:
        popd.start()
        ck = Checker(spec, popd)
        scenario(ck)
        ck.coverage()
        log("ok: %d replies conform to the spec" % ck.n_checked)
        failed = False
    finally:
        popd.cleanup(failed)
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except ConformanceError as e:
        print("FAIL: %s" % e, file=sys.stderr, flush=True)
        sys.exit(1)
