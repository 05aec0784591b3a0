#!/usr/bin/env python3
"""Forward TCP connections and hold every chunk for a fixed delay.

The test kernel has no netem, so a round trip between two network
namespaces is emulated by this relay in a namespace between them. Each
chunk read from one side is written to the other side at its arrival
time plus the delay. The delay is not added per chunk one after the
other, so a burst of chunks arrives as a burst, in order, one delay
later. End of stream is forwarded the same way (as a half close).

Usage:
  delay-relay.py --delay-ms 35 LISTEN_ADDRESS:PORT=TARGET_ADDRESS:PORT [...]

Prints one line starting with "ready" once every listener is bound, and
exits with status 0 on SIGTERM or SIGINT.
"""

import argparse
import asyncio
import signal
import sys

CHUNK_SIZE = 65536


def parse_endpoint(text):
    """Split ADDRESS:PORT (IPv4 or host name) into (address, port)."""
    address, separator, port = text.rpartition(":")
    if not separator or not address or not port.isdigit():
        raise argparse.ArgumentTypeError(f"invalid endpoint '{text}': expected ADDRESS:PORT")
    return address, int(port)


def parse_pair(text):
    listen, separator, target = text.partition("=")
    if not separator:
        raise argparse.ArgumentTypeError(
            f"invalid pair '{text}': expected LISTEN_ADDRESS:PORT=TARGET_ADDRESS:PORT")
    return parse_endpoint(listen), parse_endpoint(target)


async def pump(reader, writer, delay, label, log):
    """Copy READER to WRITER, writing each chunk at its arrival time + DELAY.

    A reader task stamps each chunk with its due time and queues it, and a
    writer task sleeps until that time. Because the due times only grow,
    the queue order is the stream order. A failure on either side drops
    WRITER at the failure's due time, as a reset would.
    """
    loop = asyncio.get_running_loop()
    queue = asyncio.Queue()

    async def read_side():
        try:
            while True:
                data = await reader.read(CHUNK_SIZE)
                await queue.put((loop.time() + delay, data))
                if not data:
                    return
        except (ConnectionError, OSError) as error:
            log(f"{label}: read failed: {error}")
            await queue.put((loop.time() + delay, None))

    reading = asyncio.create_task(read_side())
    try:
        while True:
            due, data = await queue.get()
            wait = due - loop.time()
            if wait > 0:
                await asyncio.sleep(wait)
            if data is None:
                writer.transport.abort()
                return
            if not data:
                if writer.can_write_eof():
                    writer.write_eof()
                return
            writer.write(data)
            await writer.drain()
    except (ConnectionError, OSError) as error:
        log(f"{label}: write failed: {error}")
        writer.transport.abort()
    finally:
        reading.cancel()
        await asyncio.gather(reading, return_exceptions=True)


class Relay:
    def __init__(self, delay_ms, connect_timeout, verbose):
        self.delay = delay_ms / 1000.0
        self.connect_timeout = connect_timeout
        self.verbose = verbose
        self.connections = set()

    def log(self, text):
        if self.verbose:
            print(f"delay-relay: {text}", file=sys.stderr, flush=True)

    async def handle(self, target, client_reader, client_writer):
        peer = client_writer.get_extra_info("peername")
        label = f"{peer[0]}:{peer[1]} -> {target[0]}:{target[1]}"
        task = asyncio.current_task()
        self.connections.add(task)
        try:
            try:
                target_reader, target_writer = await asyncio.wait_for(
                    asyncio.open_connection(*target), self.connect_timeout)
            except (OSError, asyncio.TimeoutError) as error:
                self.log(f"{label}: connect failed: {error or 'timed out'}; closing the client")
                client_writer.transport.abort()
                return
            self.log(f"{label}: connected")
            # Both directions run until each has forwarded its end of
            # stream or failed, then both sockets are closed.
            await asyncio.gather(
                pump(client_reader, target_writer, self.delay, label + " (forward)", self.log),
                pump(target_reader, client_writer, self.delay, label + " (back)", self.log),
                return_exceptions=True)
            for writer in (client_writer, target_writer):
                writer.close()
            self.log(f"{label}: closed")
        except asyncio.CancelledError:
            client_writer.transport.abort()
            raise
        finally:
            self.connections.discard(task)


async def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--delay-ms", type=float, default=0.0,
                        help="delay of every chunk in each direction, in milliseconds (default 0)")
    parser.add_argument("--connect-timeout", type=float, default=3.0,
                        help="seconds to wait for the target before closing the client (default 3)")
    parser.add_argument("--verbose", action="store_true", help="log connections on standard error")
    parser.add_argument("pairs", nargs="+", type=parse_pair,
                        metavar="LISTEN_ADDRESS:PORT=TARGET_ADDRESS:PORT")
    arguments = parser.parse_args()
    if arguments.delay_ms < 0:
        parser.error(f"invalid --delay-ms {arguments.delay_ms}: must not be negative")

    relay = Relay(arguments.delay_ms, arguments.connect_timeout, arguments.verbose)
    servers = []
    bound = []
    for listen, target in arguments.pairs:
        server = await asyncio.start_server(
            lambda r, w, target=target: relay.handle(target, r, w),
            host=listen[0], port=listen[1], reuse_address=True)
        address = server.sockets[0].getsockname()
        bound.append(f"{address[0]}:{address[1]}={target[0]}:{target[1]}")
        servers.append(server)

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signal_number in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signal_number, stop.set)

    print(f"ready: delay {arguments.delay_ms:g} ms each way, {', '.join(bound)}", flush=True)

    await stop.wait()
    for server in servers:
        server.close()
    for task in list(relay.connections):
        task.cancel()
    await asyncio.gather(*relay.connections, return_exceptions=True)
    for server in servers:
        await server.wait_closed()


if __name__ == "__main__":
    asyncio.run(main())
