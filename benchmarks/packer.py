"""Packer benchmark: the artifact packer of the jobs handler (``Custom::JumpStartArtifact``) streaming
an S3 prefix into one ``model.tar.gz`` by multipart upload.

It runs the handler's own ``pack`` against moto's S3 (in process, nothing leaves this machine) on a
prefix of incompressible files (model weights do not compress), and reports the throughput (source
MiB per second of wall time), the parts sent, and the largest amount of artifact data the writer held
at once (the bound on its memory: one part), for several sizes. The S3 side is moto, so this measures
the packer's own work (tar + gzip level 1 + part bookkeeping) plus moto's in-memory copying, not the
network; in Lambda, S3 reads and part uploads overlap nothing, so treat it as an upper bound and the
limit (``constructs_jumpstart/_artifacts.py: LIMIT_BYTES``) keeps a margin of 2x under 15 minutes.

Run from the repository root: ``python benchmarks/packer.py [--mib 256 1024]``. The last line is
``packer throughput: X MiB/s``.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.update(AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing", AWS_DEFAULT_REGION="us-west-2")

import boto3  # noqa: E402
from moto import mock_aws  # noqa: E402

from constructs_jumpstart._artifacts import LIMIT_BYTES  # noqa: E402
from constructs_jumpstart.provider.asset.handler import artifacts  # noqa: E402

FILE_MIB = 64


def measure(total_mib: int) -> dict:
    with mock_aws():
        s3 = boto3.client("s3", region_name="us-west-2")
        for bucket in ("source", "artifacts"):
            s3.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": "us-west-2"})
        block = os.urandom(FILE_MIB * 2**20)
        for i in range(max(1, total_mib // FILE_MIB)):
            s3.put_object(Bucket="source", Key=f"model/v1/shard-{i:04d}.safetensors", Body=block)
        held = []
        original = artifacts.MultipartWriter._send

        def send(self, chunk):
            held.append(len(self.buffer))
            original(self, chunk)

        artifacts.MultipartWriter._send = send
        try:
            start = time.perf_counter()
            result = artifacts.pack(s3, "s3://source/model/v1/", "artifacts", "packed/model.tar.gz", LIMIT_BYTES)
            elapsed = time.perf_counter() - start
        finally:
            artifacts.MultipartWriter._send = original
    source = int(result["SourceBytes"])
    return {"MiB": source / 2**20, "seconds": elapsed, "MiB/s": source / 2**20 / elapsed,
            "parts": len(held), "max held MiB": max(held) / 2**20, "ratio": int(result["ArtifactBytes"]) / source}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--mib", type=int, nargs="+", default=[256, 1024])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    rates = []
    print(f"{'source':>10} {'wall (median)':>14} {'MiB/s':>8} {'parts':>6} {'max held':>9} {'size ratio':>10}")
    for mib in args.mib:
        runs = [measure(mib) for _ in range(args.runs)]
        best = sorted(runs, key=lambda r: r["seconds"])[len(runs) // 2]
        rates.append(best["MiB/s"])
        print(f"{best['MiB']:>7.0f} MiB {best['seconds']:>12.2f} s {best['MiB/s']:>8.1f} {best['parts']:>6} "
              f"{best['max held MiB']:>6.1f} MiB {best['ratio']:>10.3f}")
    rate = statistics.median(rates)
    print(f"limit {LIMIT_BYTES / 2**30:.0f} GiB at {rate:.0f} MiB/s: {LIMIT_BYTES / 2**20 / rate / 60:.1f} min of 15")
    print(f"packer throughput: {rate:.1f} MiB/s")


if __name__ == "__main__":
    main()
