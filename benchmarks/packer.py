"""Packer benchmark, CPU side: the artifact packer of the stack's handler (``Custom::JumpStartArtifact``)
streaming an S3 prefix into one ``model.tar.gz`` by multipart upload, against moto's S3 in process.

It runs the handler's own ``pack`` on a prefix of incompressible files (model weights do not compress),
and reports the throughput (source MiB per second of wall time), the parts sent, and the most
artifact data the writer held at once (the part filling plus the parts in flight), for several
sizes. There is no network here (moto copies in memory, in the same process), so this measures the
packer's own work (tar + gzip framing at level 0 + parts) plus moto's: an upper bound. The network
side, which sets the limit, is ``benchmarks/packer_network.py``.

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
        writers = []
        original = artifacts.MultipartWriter.__init__

        def init(self, *args, **kwargs):
            original(self, *args, **kwargs)
            writers.append(self)

        artifacts.MultipartWriter.__init__ = init
        try:
            start = time.perf_counter()
            result = artifacts.pack(s3, "s3://source/model/v1/", "artifacts", "packed/model.tar.gz", LIMIT_BYTES)
            elapsed = time.perf_counter() - start
        finally:
            artifacts.MultipartWriter.__init__ = original
    source = int(result["SourceBytes"])
    return {"MiB": source / 2**20, "seconds": elapsed, "MiB/s": source / 2**20 / elapsed,
            "parts": len(writers[0].futures), "max held MiB": writers[0].most_held / 2**20, "ratio": int(result["ArtifactBytes"]) / source}


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
    print(f"packer throughput: {rate:.1f} MiB/s")


if __name__ == "__main__":
    main()
