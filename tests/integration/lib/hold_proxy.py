#!/usr/bin/python3
"""A TCP proxy on loopback in front of an HTTP service that can hold requests, so a test can
kill a client at the moment one of its requests is in flight, deterministically.

usage: hold_proxy.py LISTEN_PORT TARGET_PORT CONTROL_DIR

Bytes pass through unchanged. While the file CONTROL_DIR/hold exists, a request whose request
line matches the regular expression the file holds (e.g. "^POST /v1/containers ") is held: the
proxy appends its request line to CONTROL_DIR/held and forwards the request only once
CONTROL_DIR/hold is removed (even when its client has gone meanwhile: the service then does
what the client had asked). Requests on one connection come one at a time (the client waits for
each answer), so a chunk whose first line is a request line starts a request.
"""
import asyncio
import os
import re
import sys

LISTEN, TARGET, CONTROL = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
HOLD = os.path.join(CONTROL, "hold")
HELD = os.path.join(CONTROL, "held")


async def held(data):
    try:
        with open(HOLD) as f:
            pattern = f.read().strip()
    except FileNotFoundError:
        return
    line = data.split(b"\r\n", 1)[0].decode("latin-1")
    if not re.search(pattern, line):
        return
    with open(HELD, "a") as f:
        f.write(line + "\n")
    while os.path.exists(HOLD):
        await asyncio.sleep(0.02)


async def upstream(client_reader, writer):
    """Client to service, holding what the test asked to hold."""
    try:
        while True:
            data = await client_reader.read(65536)
            if not data:
                break
            await held(data)
            writer.write(data)
            await writer.drain()
    except (ConnectionError, asyncio.CancelledError):
        pass


async def downstream(reader, client_writer):
    try:
        while True:
            data = await reader.read(65536)
            if not data:
                break
            client_writer.write(data)
            await client_writer.drain()
    except (ConnectionError, asyncio.CancelledError):
        pass
    finally:
        client_writer.close()


async def handle(client_reader, client_writer):
    try:
        reader, writer = await asyncio.open_connection("127.0.0.1", TARGET)
    except OSError:
        client_writer.close()
        return
    down = asyncio.ensure_future(downstream(reader, client_writer))
    await upstream(client_reader, writer)
    # The client is done sending (or gone): give the service time to answer what it was sent
    # (no half-close: an HTTP server may drop a request whose client closed), then close.
    try:
        await asyncio.wait_for(down, 10)
    except asyncio.TimeoutError:
        pass
    writer.close()


async def main():
    server = await asyncio.start_server(handle, "127.0.0.1", LISTEN)
    async with server:
        await server.serve_forever()


asyncio.run(main())
