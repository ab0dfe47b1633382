#!/usr/bin/python3
"""Benchmark (printed, not asserted) of pop-nfvo's whole chain: NS launch time from the REST
request to NSR ACTIVE (pop-nfvo, RabbitMQ, pop-vnfm, pop-vim-driver, popd-rest, the Docker
Engine) versus creating and starting the same containers on the same network directly through
the Docker Engine API in the same dependency order, interleaved run by run so both see the same
machine. Started by bench/nfvo.sh, which brings the stack up and passes it in the environment.

Prints, for the SIPp NS and a 10-VNF NS: median and p90 of the ratio (goal <= 1.10 median);
orchestration time per VNFC (launch time minus the raw time of the same containers) for NSs of
1, 10 and 100 VNFCs and for 20 NSs launched at once (goal: flat, the cost at 100 within 1.2x of
the cost at 1); pop-nfvo's own memory idle and after 100 launches and terminations (goal: under
5 MiB, no growth), and with it every service of the stack (BENCH_SERVICES: popd-rest,
pop-vim-driver, pop-vnfm, pop-nfvo, pop-gateway, whose REST those cycles go through; RabbitMQ is
Erlang's, not ours): resident and private memory of each and all together (goal: together under
20 MiB private, growth under 1 MiB). The launch is timed by polling GET every 5 ms (so up to
5 ms late); the 20 NSs launched at once each every 100 ms (a 2-core machine's engine starts
their containers meanwhile; the raw side polls nothing).
"""
import copy
import http.client
import json
import os
import statistics
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from benchlib import UnixHTTPConnection, call, memory_kib, pct  # noqa: E402

URL_PORT = int(os.environ["NFVO_URL"].rsplit(":", 1)[1])
GW_PORT = int(os.environ["GW_URL"].rsplit(":", 1)[1])
# "name=pid name=pid ...": the stack's services whose memory the cycles report.
SERVICES = [(n, int(p)) for n, p in (kv.split("=") for kv in os.environ["BENCH_SERVICES"].split())]
HEADERS = {"Authorization": "Bearer " + os.environ["NFVO_TOKEN"],
           "project-id": os.environ["NFVO_PROJECT"]}
NFVO_PID = int(os.environ["NFVO_PID"])
POPD_NAME = os.environ["POPD_NAME"]
RUNS = int(os.environ.get("BENCH_NFVO_RUNS", "20"))
CYCLES = int(os.environ.get("BENCH_NFVO_CYCLES", "100"))
LABEL = f"org.pop-nfv.bench=nfvo-{os.environ.get('BENCH_LABEL_PID', os.getpid())}"
TINY = "pop-tiny:latest"
VIA_GATEWAY = False


def nfvo(method, path, body=None):
    """A request to pop-nfvo: straight, or through pop-gateway while VIA_GATEWAY is set."""
    port = GW_PORT if VIA_GATEWAY else URL_PORT
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=300)
    try:
        return call(conn, method, path, body, HEADERS)
    finally:
        conn.close()


def onboard(nsd):
    st, doc = nfvo("POST", "/api/v1/ns-descriptors", nsd)
    if st != 201:
        sys.exit(f"onboarding {nsd['name']}: {st} {doc}")
    return doc["id"]


def launch(nsd_id, poll_s=0.005):
    """Seconds from the launch request to ACTIVE (up to poll_s late); the NSR id."""
    t0 = time.monotonic()
    st, nsr = nfvo("POST", f"/api/v1/ns-records/{nsd_id}", {})
    if st != 201:
        sys.exit(f"launch: {st} {nsr}")
    while True:
        st, doc = nfvo("GET", f"/api/v1/ns-records/{nsr['id']}")
        if doc.get("status") == "ACTIVE":
            return time.monotonic() - t0, nsr["id"]
        if doc.get("status") == "ERROR":
            sys.exit(f"launch ended in ERROR: {doc.get('lifecycle_event_history')}")
        time.sleep(poll_s)


def terminate(nsr_id):
    nfvo("DELETE", f"/api/v1/ns-records/{nsr_id}")
    while nfvo("GET", f"/api/v1/ns-records/{nsr_id}")[0] != 404:
        time.sleep(0.02)


# ---- the raw side: the Docker Engine API ----

def docker():
    return UnixHTTPConnection("/var/run/docker.sock")


def pop_network():
    """The Docker network of the Pop's "private" network."""
    st, nets = call(docker(), "GET", "/networks?filters=" + json.dumps(
        {"label": [f"org.pop-nfv.pop={POPD_NAME}"]}).replace(" ", ""))
    for n in nets:
        if n["Name"].endswith("private") or "private" in n.get("Labels", {}).values():
            return n["Name"]
    sys.exit(f"no private network of Pop {POPD_NAME}: {[n['Name'] for n in nets]}")


NET = None


def raw_create_start(conn, image, env):
    body = {"Image": image, "Env": env, "Labels": {LABEL.split("=")[0]: LABEL.split("=")[1]},
            "NetworkingConfig": {"EndpointsConfig": {NET: {}}}}
    st, c = call(conn, "POST", "/containers/create", body)
    if st != 201:
        sys.exit(f"docker create: {st} {c}")
    st, _ = call(conn, "POST", f"/containers/{c['Id']}/start")
    if st not in (204, 304):
        sys.exit(f"docker start: {st}")
    return c["Id"]


def raw_ip(conn, cid):
    st, c = call(conn, "GET", f"/containers/{cid}/json")
    return c["NetworkSettings"]["Networks"][NET]["IPAddress"]


def raw_ns(plan):
    """plan: [(image, [index of the source whose address it gets as SERVER_PRIVATE], [env])]
    in start order. Seconds to create and start them all; the ids."""
    conn = docker()
    sources = {s for _, ss, _ in plan for s in ss}
    t0 = time.monotonic()
    ids, ips = [], []
    for image, deps, env in plan:
        cid = raw_create_start(conn, image, [f"SERVER_PRIVATE={ips[s]}" for s in deps[:1]] + env)
        ids.append(cid)
        ips.append(raw_ip(conn, cid) if len(ids) - 1 in sources else "")
    took = time.monotonic() - t0
    return took, ids


def raw_remove(ids):
    conn = docker()
    for cid in ids:
        call(conn, "DELETE", f"/containers/{cid}?force=true")


# ---- descriptors ----

def vnfd(name, image, components=1, requires=None):
    d = {"name": name, "vendor": "bench", "version": "1", "type": name, "endpoint": "mgmt",
         "deployment_flavour": [{"flavour_key": "docker.container"}],
         "vdu": [{"vm_image": [image], "scale_in_out": max(components, 1),
                  "vnfc": [{"connection_point": [{"virtual_link_reference": "private"}]}
                           for _ in range(components)]}]}
    if requires:
        d["requires"] = {requires: {"parameters": ["private"]}}
    return d


def nsd(name, vnfds):
    return {"name": name, "vendor": "bench", "version": "1", "vld": [{"name": "private"}],
            "vnfd": vnfds}


def summary(label, ours, raws):
    ratios = [o / r for o, r in zip(ours, raws)]
    print(f"{label}: ours median {statistics.median(ours) * 1000:.0f} ms, raw Docker median "
          f"{statistics.median(raws) * 1000:.0f} ms; ratio median {statistics.median(ratios):.2f} "
          f"p90 {pct(ratios, 90):.2f} over {len(ratios)} interleaved runs (goal <= 1.10 median)")


def compare(label, nsd_id, plan):
    ours, raws = [], []
    for _ in range(RUNS):
        took, nsr = launch(nsd_id)
        ours.append(took)
        terminate(nsr)
        took, ids = raw_ns(plan)
        raws.append(took)
        raw_remove(ids)
    summary(label, ours, raws)


def raw_parallel(plans):
    """raw_ns of every plan at once (one thread each): the chain also runs the VNFs of an NS,
    and concurrent NSs, in parallel. Seconds until all are started; every id."""
    results = [None] * len(plans)

    def one(i):
        results[i] = raw_ns(plans[i])
    t0 = time.monotonic()
    threads = [threading.Thread(target=one, args=(i,)) for i in range(len(plans))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return time.monotonic() - t0, [cid for _, ids in results for cid in ids]


def per_vnfc(label, nsd_id, n, plans, runs=3):
    """plans: one raw plan per VNF of the NS (they run in parallel, as the chain runs them)."""
    costs = []
    for _ in range(runs):
        took, nsr = launch(nsd_id)
        terminate(nsr)
        raw, ids = raw_parallel(plans)
        raw_remove(ids)
        costs.append((took - raw) / n)
    cost = statistics.median(costs)
    print(f"{label}: orchestration {cost * 1000:.1f} ms per VNFC (median of {runs}: launch "
          f"minus the raw time of the same {n} containers)")
    return cost


def concurrent(nsd_id, count, plan):
    results = [None] * count

    def one(i):
        # Twenty clients polling every 5 ms would load the 2 cores the engine starts the
        # containers on (the raw side polls nothing): each polls every 100 ms, at most 1% of
        # the seconds measured.
        results[i] = launch(nsd_id, poll_s=0.1)
    t0 = time.monotonic()
    threads = [threading.Thread(target=one, args=(i,)) for i in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    ours = time.monotonic() - t0
    for _, nsr in results:
        terminate(nsr)
    raw, ids = raw_parallel([plan] * count)
    raw_remove(ids)
    n = count * len(plan)
    cost = (ours - raw) / n
    print(f"{count} NSs at once: all ACTIVE in {ours * 1000:.0f} ms, the same {n} containers "
          f"raw (as concurrently) {raw * 1000:.0f} ms: {cost * 1000:.1f} ms per VNFC")
    return cost


def stack_memory():
    """{service: memory_kib} of every service of the stack."""
    return {name: memory_kib(pid) for name, pid in SERVICES}


def print_stack_memory(points):
    """points: [(label, stack_memory())]. One line per service, then the total."""
    print("memory of the stack's services (KiB: resident / private), " +
          ", ".join(label for label, _ in points) + ":")
    for name, _ in SERVICES:
        cells = "   ".join(f"{m[name]['Rss']:6d} / {m[name]['Private']:5d}" for _, m in points)
        print(f"  {name:15s} {cells}")
    totals = [(sum(v["Rss"] for v in m.values()), sum(v["Private"] for v in m.values()))
              for _, m in points]
    print(f"  {'together':15s} " + "   ".join(f"{r:6d} / {p:5d}" for r, p in totals))
    warm = totals[1][1] - totals[0][1]
    growth = totals[-1][1] - totals[1][1]
    print(f"  together private: {totals[-1][1] / 1024:.1f} MiB after the cycles (goal under "
          f"20 MiB); {warm} KiB taken by the first half (caches, malloc arenas warming up), "
          f"growth {growth} KiB over the second half (goal under 1024 KiB); resident counts "
          f"the shared libraries' pages once per process")


def memory_cycles(nsd_id):
    """The stack's memory idle and over CYCLES sequential launches and terminations through
    pop-gateway, first of all, before the concurrent phases raise malloc's high-water mark."""
    global VIA_GATEWAY
    VIA_GATEWAY = True
    idle = stack_memory()
    for i in range(CYCLES):
        _, nsr = launch(nsd_id)
        terminate(nsr)
        if i == CYCLES // 2 - 1:
            half = stack_memory()
    end = stack_memory()
    VIA_GATEWAY = False
    nf = [m["pop-nfvo"] for m in (idle, half, end)]
    print(f"pop-nfvo memory (own, anonymous): idle {nf[0]['Anonymous']} KiB, after "
          f"{CYCLES // 2} launches+terminations {nf[1]['Anonymous']} KiB, after {CYCLES} "
          f"{nf[2]['Anonymous']} KiB (RSS {nf[2]['Rss']} KiB; goal: under 5 MiB, no growth)")
    print_stack_memory([("idle", idle), (f"after {CYCLES // 2} cycles", half),
                        (f"after {CYCLES}", end)])


def main():
    global NET
    NET = pop_network()
    fixture = json.load(open(os.environ["SIPP_FIXTURE"]))
    sipp_id = onboard(fixture)
    client = next(d for d in fixture["vnfd"] if d["name"] == "sipp-client")
    conf = [f"{p['confKey']}={p['value']}"
            for p in client["configurations"]["configurationParameters"]]
    sipp_plan = [("mcilloni/sipp-server:latest", [], []),
                 ("mcilloni/sipp-client:latest", [0], conf)]
    star = nsd("star10", [vnfd("hub", TINY)] + [vnfd(f"leaf{i}", TINY, requires="hub")
                                                 for i in range(1, 10)])
    star_id = onboard(star)
    star_plan = [(TINY, [], [])] + [(TINY, [0], [])] * 9
    memory_cycles(onboard(nsd("one", [vnfd("solo", TINY)])))
    compare("SIPp NS (2 VNFs)", sipp_id, sipp_plan)
    compare("10-VNF NS (one source, nine targets)", star_id, star_plan)

    ids = {}
    for n in (1, 10, 100):
        per = 25 if n > 25 else n
        ids[n] = onboard(nsd(f"flat{n}", [vnfd(f"v{k}", TINY, components=per)
                                          for k in range(n // per)]))
    c1 = per_vnfc("NS of 1 VNFC", ids[1], 1, [[(TINY, [], [])]], runs=5)
    per_vnfc("NS of 10 VNFCs (one VNF)", ids[10], 10, [[(TINY, [], [])] * 10])
    c100 = per_vnfc("NS of 100 VNFCs (4 VNFs of 25)", ids[100], 100, [[(TINY, [], [])] * 25] * 4,
                    runs=1)
    tiny_sipp = copy.deepcopy(fixture)
    tiny_sipp["name"] = "sipp-tiny"
    for d in tiny_sipp["vnfd"]:
        for vdu in d["vdu"]:
            vdu["vm_image"] = [TINY]
    concurrent(onboard(tiny_sipp), 20, [(TINY, [], []), (TINY, [0], [])])
    print(f"growth: per-VNFC cost at 100 is {c100 / c1 if c1 > 0 else float('nan'):.2f}x the "
          f"cost at 1 (goal <= 1.2)")

    after = memory_kib(NFVO_PID)
    print(f"pop-nfvo memory (own, anonymous) after the phases above: {after['Anonymous']} KiB "
          f"(the high water of 100-VNFC and 20 concurrent NSs, kept by malloc)")

if __name__ == "__main__":
    main()
