#!/usr/bin/python3
"""Benchmark: popd-rest versus the raw Docker Engine API, measured side by side in one run.

Prints median and p90 of the per-run ratio (popd time / raw Docker time) for create+start,
stop and delete of the same image on the same network, interleaved so both see the same
machine load, and popd-rest's resident memory idle and with 100 running containers.
Nothing is asserted: goals are printed next to the numbers.

usage: popd_vs_docker.py POPD_BIN [RUNS]
"""
import http.client
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time

# free_port is shared with the integration tests.
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests",
                                "integration", "lib"))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from netutil import free_port  # noqa: E402
from benchlib import UnixHTTPConnection, call, memory_kib, pct  # noqa: E402

POPD_BIN = sys.argv[1]
RUNS = int(sys.argv[2]) if len(sys.argv) > 2 else 24
NAME = f"bench{os.getpid()}"
IMAGE = "pop-tiny:latest"
USER, PASSWORD = "bench", "bench-password"


def main():
    work = tempfile.mkdtemp(prefix="popd-bench.")
    port = free_port()
    env = dict(os.environ, POPD_NAME=NAME, POPD_AUTH=f"{USER}:{PASSWORD}",
               POPD_DB=f"{work}/popd.db", POPD_PORT=str(port), POPD_STOP_TIMEOUT="2",
               POPD_POOLS="10.251.0.0/16/24", POPD_PASSWORD_ITERATIONS="1000")
    log = open(f"{work}/popd.log", "w")
    popd = subprocess.Popen([POPD_BIN], env=env, stdout=log, stderr=log)
    docker = UnixHTTPConnection("/var/run/docker.sock")
    try:
        api = http.client.HTTPConnection("127.0.0.1", port)
        for _ in range(100):
            try:
                if call(api, "GET", "/healthz")[0] == 200:
                    break
            except OSError:
                api = http.client.HTTPConnection("127.0.0.1", port)
            time.sleep(0.1)
        status, tok = call(api, "POST", "/v1/login", {"username": USER, "password": PASSWORD})
        auth = {"Authorization": "Bearer " + tok["value"]}
        _, nets = call(api, "GET", "/v1/networks", headers=auth)
        private = nets["list"][0]
        net_name = f"{NAME}-private"
        subnet = private["subnets"][0]["cidr"]
        base = subnet.split("/")[0].rsplit(".", 1)[0]
        time.sleep(0.5)
        idle = memory_kib(popd.pid)

        # Same engine request popd-rest builds: Init, caps dropped, fixed IP, labels.
        def raw_spec(i):
            return {
                "Image": IMAGE, "Env": ["BENCH=1"], "Labels": {"org.pop-nfv.test": "1",
                                                              "org.pop-nfv.pop": NAME},
                "HostConfig": {"Init": True, "CapDrop": ["ALL"], "Privileged": False,
                               "SecurityOpt": ["no-new-privileges"], "NetworkMode": net_name},
                "NetworkingConfig": {"EndpointsConfig": {net_name: {
                    "IPAMConfig": {"IPv4Address": f"{base}.{200 + i % 50}"}}}},
            }

        # Each run: create+start on both sides; even runs then stop (until final) and delete,
        # odd runs delete the running container directly. Run 0 is a warm-up.
        create_ratio, stop_ratio, delete_ratio = [], [], []
        for i in range(RUNS + 1):
            t0 = time.perf_counter()
            s1, _ = call(api, "POST", "/v1/containers", {"name": f"b{i}", "image_id": IMAGE}, auth)
            call(api, "PATCH", f"/v1/containers/b{i}/metadata", {"entries": {"BENCH": "1"}}, auth)
            s2, _ = call(api, "POST", f"/v1/containers/b{i}/start", headers=auth)
            t_popd = time.perf_counter() - t0
            t0 = time.perf_counter()
            s3, rc = call(docker, "POST", f"/containers/create?name={NAME}-raw{i}", raw_spec(i))
            s4, _ = call(docker, "POST", f"/containers/{rc['Id']}/start")
            t_raw = time.perf_counter() - t0
            assert (s1, s2, s3, s4) == (201, 200, 201, 204), (s1, s2, s3, s4)

            if i % 2 == 0:
                # popd answers STOPPING at once and removes the engine container when done:
                # time it until the final state, against raw stop + remove.
                t0 = time.perf_counter()
                call(api, "POST", f"/v1/containers/b{i}/stop", headers=auth)
                while call(api, "GET", f"/v1/containers/b{i}", headers=auth)[1]["status"] == "STOPPING":
                    time.sleep(0.002)
                t_popd_op = time.perf_counter() - t0
                t0 = time.perf_counter()
                call(docker, "POST", f"/containers/{rc['Id']}/stop?t=2")
                call(docker, "DELETE", f"/containers/{rc['Id']}")
                t_raw_op = time.perf_counter() - t0
                call(api, "DELETE", f"/v1/containers/b{i}", headers=auth)
                ratios = stop_ratio
            else:
                # delete of a running container: stop, remove, forget, against raw stop + remove
                t0 = time.perf_counter()
                call(api, "DELETE", f"/v1/containers/b{i}", headers=auth)
                t_popd_op = time.perf_counter() - t0
                t0 = time.perf_counter()
                call(docker, "POST", f"/containers/{rc['Id']}/stop?t=2")
                call(docker, "DELETE", f"/containers/{rc['Id']}")
                t_raw_op = time.perf_counter() - t0
                ratios = delete_ratio
            if i == 0:
                continue
            create_ratio.append(t_popd / t_raw)
            ratios.append(t_popd_op / t_raw_op)

        print(f"popd-rest vs raw Docker Engine API, {RUNS} interleaved runs (ratio = popd / raw)")
        for label, r, goal in (("create+start", create_ratio, "goal <= 1.05"),
                               ("stop (until final)", stop_ratio, ""),
                               ("delete (running)", delete_ratio, "")):
            print(f"  {label:20s} median {statistics.median(r):6.3f}  p90 {pct(r, 90):6.3f}  "
                  f"n={len(r)}  {goal}")

        for i in range(100):
            call(api, "POST", "/v1/containers", {"name": f"m{i}", "image_id": IMAGE}, auth)
            call(api, "POST", f"/v1/containers/m{i}/start", headers=auth)
        time.sleep(0.5)
        busy = memory_kib(popd.pid)
        print("popd-rest resident memory (goal < 10 MiB), of which its own anonymous memory:")
        print(f"  idle                      RSS {idle['Rss'] / 1024:5.1f} MiB  "
              f"anonymous {idle['Anonymous'] / 1024:4.1f} MiB")
        print(f"  with 100 running          RSS {busy['Rss'] / 1024:5.1f} MiB  "
              f"anonymous {busy['Anonymous'] / 1024:4.1f} MiB")
    finally:
        popd.send_signal(signal.SIGTERM)
        try:
            popd.wait(timeout=20)
        except subprocess.TimeoutExpired:
            popd.kill()
        subprocess.run(f"docker ps -aq --filter label=org.pop-nfv.pop={NAME} | xargs -r docker rm -f",
                       shell=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        subprocess.run(f"docker network ls -q --filter label=org.pop-nfv.pop={NAME} | xargs -r docker network rm",
                       shell=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        subprocess.run(["rm", "-rf", work])


if __name__ == "__main__":
    main()
