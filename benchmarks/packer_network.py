"""Packer benchmark over a bandwidth-limited network: the handler's own ``pack`` against moto in server
mode on 127.0.0.1, behind a TCP proxy (of this file) that paces every connection, each direction, at
a fixed rate, as S3 serves each connection at a bounded rate ("Performance design patterns for
Amazon S3": one concurrent request per 85-90 MB/s wanted).

What it shows: with one connection for reads and one for parts (``--threads 1``) the packer moves at
most the per-connection rate; with N it reads N ranges and uploads N parts at once, up to N times
that, until something else (here: this machine's CPU, shared by moto, the proxy and the packer)
bounds it. ``constructs_jumpstart/_artifacts.py: LIMIT_BYTES`` is derived from these figures (see
docs/jobs.md, "The artifact packer").

Run from the repository root: ``python benchmarks/packer_network.py [--mib 256] [--rate 50]
[--threads 1 4]``; ``--rate 0`` measures without pacing (the machine's ceiling). Nothing leaves
this machine: moto and the proxy listen on 127.0.0.1 only, with dummy credentials.
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.update(AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing", AWS_DEFAULT_REGION="us-west-2",
                  AWS_EC2_METADATA_DISABLED="true")

LOOPBACK = "127.0.0.1"
CHUNK = 64 * 1024
MAX_CONNECTIONS = 64
MB = 1000 * 1000


# -- the proxy (run in a process of its own: its copying must not share the packer's GIL) ---------


def _pump(source: socket.socket, target: socket.socket, rate: float) -> None:
    """Copy ``source`` to ``target`` at no more than ``rate`` bytes/s (0: unpaced): a chunk leaves
    no earlier than the previous one's time at that rate; an idle connection earns no credit (bursts
    of one chunk at most)."""
    due = time.monotonic()
    try:
        while True:
            data = source.recv(CHUNK)
            if not data:
                break
            if rate:
                now = time.monotonic()
                due = max(due, now)
                if due > now:
                    time.sleep(due - now)
                due += len(data) / rate
            target.sendall(data)
    except OSError:
        pass
    finally:
        for s in (source, target):
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


def _serve(client: socket.socket, upstream_port: int, rate: float, slots: threading.BoundedSemaphore) -> None:
    try:
        with client, socket.create_connection((LOOPBACK, upstream_port)) as upstream:
            back = threading.Thread(target=_pump, args=(upstream, client, rate), daemon=True)
            back.start()
            _pump(client, upstream, rate)
            back.join()
    finally:
        slots.release()


def run_proxy(port: int, upstream_port: int, rate: float) -> None:
    """Listen on 127.0.0.1:``port`` and forward to 127.0.0.1:``upstream_port``, pacing each
    connection at ``rate`` bytes/s in each direction; at most ``MAX_CONNECTIONS`` at once."""
    slots = threading.BoundedSemaphore(MAX_CONNECTIONS)
    with socket.create_server((LOOPBACK, port)) as server:
        while True:
            client, _ = server.accept()
            slots.acquire()
            threading.Thread(target=_serve, args=(client, upstream_port, rate, slots), daemon=True).start()


# -- the benchmark ------------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind((LOOPBACK, 0))
        return s.getsockname()[1]


def _wait_for(url: str) -> None:
    for _ in range(200):
        try:
            urllib.request.urlopen(url, timeout=1)
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"{url} did not answer")


class Servers:
    """moto in server mode and one proxy per rate, all on 127.0.0.1; stopped on exit."""

    def __init__(self):
        self.moto_port = _free_port()
        self.processes = [subprocess.Popen([sys.executable, "-m", "moto.server", "-H", LOOPBACK, "-p",
                                            str(self.moto_port)], stdout=subprocess.DEVNULL,
                                           stderr=subprocess.DEVNULL)]
        _wait_for(f"http://{LOOPBACK}:{self.moto_port}/moto-api/")

    def proxy(self, rate_mb: float) -> str:
        port = _free_port()
        self.processes.append(subprocess.Popen([sys.executable, __file__, "--proxy", str(port),
                                                str(self.moto_port), str(rate_mb)]))
        _wait_for(f"http://{LOOPBACK}:{port}/moto-api/")
        return f"http://{LOOPBACK}:{port}"

    def __enter__(self) -> "Servers":
        return self

    def __exit__(self, *exc) -> None:
        for process in self.processes:
            process.terminate()
            process.wait(timeout=10)


def _client(endpoint: str):
    import boto3
    from botocore.config import Config

    return boto3.client("s3", region_name="us-west-2", endpoint_url=endpoint,
                        config=Config(retries={"mode": "standard", "max_attempts": 5}, max_pool_connections=16))


def seed(endpoint: str, total_mib: int, file_mib: int = 64) -> str:
    s3 = _client(endpoint)
    for bucket in ("source", "artifacts"):
        s3.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": "us-west-2"})
    block = os.urandom(file_mib * 2**20)  # model weights do not compress
    for i in range(max(1, total_mib // file_mib)):
        s3.put_object(Bucket="source", Key=f"model/v1/shard-{i:04d}.safetensors", Body=block)
    return "s3://source/model/v1/"


def measure(endpoint: str, source: str, threads: int) -> dict:
    from constructs_jumpstart._artifacts import LIMIT_BYTES
    from constructs_jumpstart.provider.asset.handler import artifacts

    writers = []
    original_init = artifacts.MultipartWriter.__init__

    def init(self, *args, **kwargs):
        original_init(self, *args, **kwargs)
        writers.append(self)

    artifacts.THREADS, artifacts.MultipartWriter.__init__ = threads, init
    s3 = _client(endpoint)
    try:
        start, cpu = time.perf_counter(), time.process_time()  # this process: the packer (and its threads) only
        result = artifacts.pack(s3, source, "artifacts", f"packed-{threads}/model.tar.gz", LIMIT_BYTES)
        elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
    finally:
        artifacts.MultipartWriter.__init__ = original_init
    s3.delete_object(Bucket="artifacts", Key=f"packed-{threads}/model.tar.gz")
    source_bytes = int(result["SourceBytes"])
    return {"MiB": source_bytes / 2**20, "seconds": elapsed, "MB/s": source_bytes / MB / elapsed,
            "CPU MB/s": source_bytes / MB / cpu, "held MiB": writers[0].most_held / 2**20}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--mib", type=int, default=256)
    parser.add_argument("--rate", type=float, nargs="+", default=[50.0], help="MB/s per connection and direction")
    parser.add_argument("--threads", type=int, nargs="+", default=[1, 4])
    parser.add_argument("--runs", type=int, default=2)
    parser.add_argument("--part-mib", type=int, default=16,
                        help="part and range size: smaller ones (S3's minimum part is 5 MiB) reach the steady state "
                             "on a smaller source (the pipeline fills and drains threads x part)")
    args = parser.parse_args()
    from constructs_jumpstart.provider.asset.handler import artifacts

    artifacts.PART_SIZE = artifacts.RANGE_SIZE = args.part_mib * 2**20
    with Servers() as servers:
        source = seed(f"http://{LOOPBACK}:{servers.moto_port}", args.mib)
        print(f"load average before: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
        print(f"{'MB/s per conn':>13} {'threads':>7} {'source':>9} {'wall (best)':>11} {'MB/s':>7} {'of N x rate':>11} "
              f"{'MB per CPU s':>12} {'writer held':>11}")
        for rate in args.rate:
            endpoint = servers.proxy(rate)
            for threads in args.threads:
                runs = [measure(endpoint, source, threads) for _ in range(args.runs)]
                best = min(runs, key=lambda r: r["seconds"])
                share = f"{best['MB/s'] / (threads * rate):.0%}" if rate else "-"
                print(f"{rate or 'unpaced':>13} {threads:>7} {best['MiB']:>5.0f} MiB {best['seconds']:>9.2f} s "
                      f"{best['MB/s']:>7.1f} {share:>11} {best['CPU MB/s']:>12.0f} {best['held MiB']:>7.0f} MiB",
                      flush=True)
        print(f"load average after: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    if sys.argv[1:2] == ["--proxy"]:
        run_proxy(int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4]) * MB)
    else:
        main()
