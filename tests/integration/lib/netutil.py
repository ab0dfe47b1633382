"""Network helpers shared by the Python tests and benchmarks, and by service.sh's free_port
(`python3 netutil.py free-port`), so there is one implementation of each.

Import it by path: sys.path.insert(0, <repo>/tests/integration/lib); import netutil.
"""
import socket
import sys


def free_port():
    """A TCP port on 127.0.0.1 that was free a moment ago: bound, read back and closed. Also
    a port nothing listens on."""
    s = socket.socket()
    try:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
    finally:
        s.close()


if __name__ == "__main__":
    if sys.argv[1:] != ["free-port"]:
        sys.exit("usage: netutil.py free-port")
    print(free_port())
