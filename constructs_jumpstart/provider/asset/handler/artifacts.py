"""``Custom::JumpStartArtifact``: the artifact packer. Streams an S3 prefix (or a ``model.tar.gz``,
with a ``sourcedir.tar.gz`` under ``code/``: the SDK's script-mode repack) into one ``model.tar.gz``
(multipart upload, bounded memory, no local copy), for what the service refuses ``ModelDataSource``
for (batch transform, serverless) and for script-mode models. Content-addressed and idempotent;
Delete removes the object (every version)."""

from __future__ import annotations

import gzip
import io
import tarfile
from typing import Any, Dict, Iterator, List, Optional, Tuple

from botocore.exceptions import ClientError

from . import aws, cfn

PART_SIZE = 16 * 1024 * 1024
READ_SIZE = 1024 * 1024


class MultipartWriter(io.RawIOBase):
    """A write-only stream into an S3 multipart upload: parts of ``PART_SIZE`` are sent as they fill,
    so memory stays at about one part whatever the size of the artifact."""

    def __init__(self, s3, bucket: str, key: str, part_size: int = PART_SIZE,
                 metadata: Optional[Dict[str, str]] = None):
        self.s3, self.bucket, self.key, self.part_size = s3, bucket, key, part_size
        self.upload_id = s3.create_multipart_upload(Bucket=bucket, Key=key, ContentType="application/gzip",
                                                    Metadata=metadata or {})["UploadId"]
        self.parts: List[Dict[str, Any]] = []
        self.buffer = bytearray()
        self.size = 0

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:
        self.buffer += data
        self.size += len(data)
        while len(self.buffer) >= self.part_size:
            self._send(bytes(self.buffer[: self.part_size]))
            del self.buffer[: self.part_size]
        return len(data)

    def _send(self, chunk: bytes) -> None:
        number = len(self.parts) + 1
        etag = self.s3.upload_part(Bucket=self.bucket, Key=self.key, UploadId=self.upload_id, PartNumber=number,
                                   Body=chunk)["ETag"]
        self.parts.append({"ETag": etag, "PartNumber": number})

    def complete(self) -> None:
        if self.buffer or not self.parts:
            self._send(bytes(self.buffer))
            self.buffer.clear()
        self.s3.complete_multipart_upload(Bucket=self.bucket, Key=self.key, UploadId=self.upload_id,
                                          MultipartUpload={"Parts": self.parts})

    def abort(self) -> None:
        self.s3.abort_multipart_upload(Bucket=self.bucket, Key=self.key, UploadId=self.upload_id)


def split_uri(uri: str) -> Tuple[str, str]:
    bucket, _, key = uri[len("s3://"):].partition("/")
    return bucket, key


def list_objects(s3, uri: str) -> Iterator[Dict[str, Any]]:
    bucket, prefix = split_uri(uri)
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
        for item in page.get("Contents", []):
            if not item["Key"].endswith("/"):
                yield item


def _sources(s3, source: str) -> List[Dict[str, Any]]:
    """The objects of a prefix (``.../``), or the one object a URI names."""
    if source.endswith("/"):
        return list(list_objects(s3, source))
    bucket, key = split_uri(source)
    return [{"Key": key, "Size": s3.head_object(Bucket=bucket, Key=key)["ContentLength"]}]


def _copy_prefix(s3, tar, source: str, objects: List[Dict[str, Any]]) -> None:
    bucket, prefix = split_uri(source)
    for item in objects:
        info = tarfile.TarInfo(item["Key"][len(prefix):].lstrip("/"))
        info.size, info.mode, info.mtime = item["Size"], 0o644, 0
        tar.addfile(info, _Reader(s3.get_object(Bucket=bucket, Key=item["Key"])["Body"]))


def _copy_archive(s3, tar, uri: str, under: str = "") -> None:
    """Every member of the ``.tar.gz`` at ``uri``, streamed (``r|gz``), optionally under a directory."""
    bucket, key = split_uri(uri)
    body = _Reader(s3.get_object(Bucket=bucket, Key=key)["Body"])
    with tarfile.open(fileobj=body, mode="r|gz") as archive:
        for member in archive:
            name = member.name
            while name.startswith("./"):
                name = name[2:]
            if not name or name in (".",) or name.startswith("/") or ".." in name.split("/") \
                    or member.issym() or member.islnk():
                continue  # nothing that could escape the model directory
            member.name = f"{under}/{name}" if under else name
            tar.addfile(member, archive.extractfile(member) if member.isfile() else None)


def pack(s3, source: str, bucket: str, key: str, limit_bytes: int, code: str = "") -> Dict[str, Any]:
    """Stream ``source`` into ``s3://bucket/key`` as one gzip'd tar in the layout SageMaker unpacks
    into ``/opt/ml/model``: the objects of an S3 prefix (paths relative to it), or the members of a
    ``model.tar.gz``; with ``code`` (a ``sourcedir.tar.gz``), its members under ``code/``, as the
    SDK's repack does for script-mode models. Refuses, before writing anything, more than
    ``limit_bytes`` of input."""
    objects = _sources(s3, source)
    total = sum(o["Size"] for o in objects) + (sum(o["Size"] for o in _sources(s3, code)) if code else 0)
    if not objects:
        raise RuntimeError(f"{source} holds no objects to pack")
    if total > limit_bytes:
        raise RuntimeError(
            f"{source} holds {total / 2**30:.1f} GiB, more than the packer's limit of {limit_bytes / 2**30:.1f} GiB "
            "(what one Lambda invocation streams within its 15 minutes). Pack it yourself into a model.tar.gz "
            "and pass it as model_data=.")
    writer = MultipartWriter(s3, bucket, key, metadata={"source-bytes": str(total)})  # read back by a retry
    try:
        # level 0: the gzip framing SageMaker needs (model.tar.gz) without deflate, whose CPU time (47 MiB/s at
        # level 1 on one core) would bound the packer, for weights that do not compress anyway
        with gzip.GzipFile(fileobj=writer, mode="wb", compresslevel=0, mtime=0) as gz:
            with tarfile.open(fileobj=gz, mode="w|", format=tarfile.PAX_FORMAT) as tar:
                if source.endswith("/"):
                    _copy_prefix(s3, tar, source, objects)
                else:
                    _copy_archive(s3, tar, source)
                if code:
                    _copy_archive(s3, tar, code, under="code")
        writer.complete()
    except BaseException:
        writer.abort()
        raise
    return {"ArtifactUri": f"s3://{bucket}/{key}", "SourceBytes": str(total), "ArtifactBytes": str(writer.size)}


class _Reader(io.RawIOBase):
    """tarfile reads in blocks; a botocore StreamingBody serves them without buffering the object."""

    def __init__(self, body):
        self.body = body

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        return self.body.read(READ_SIZE if size is None or size < 0 else size)


def ensure_packed(props: Dict[str, Any]) -> Dict[str, Any]:
    s3 = aws.client("s3")
    bucket, key = props["Bucket"], props["Key"]
    try:
        head = s3.head_object(Bucket=bucket, Key=key)
        return {"ArtifactUri": f"s3://{bucket}/{key}", "SourceBytes": head.get("Metadata", {}).get("source-bytes", ""),
                "ArtifactBytes": str(head["ContentLength"])}
    except ClientError as err:
        if err.response["Error"]["Code"] not in ("404", "NoSuchKey", "NotFound"):
            raise
    return pack(s3, props["Source"], bucket, key, int(props["LimitBytes"]), props.get("Code", ""))


def remove_packed(bucket: str, key: str) -> str:
    """Delete every version of the packed artifact (the bucket is versioned), so ``cdk destroy``
    can delete the bucket; a missing object or bucket is already gone."""
    s3 = aws.client("s3")
    try:
        listing = s3.list_object_versions(Bucket=bucket, Prefix=key)
    except ClientError as err:
        if err.response["Error"]["Code"] in ("NoSuchBucket", "404"):
            return "missing"
        raise
    versions = [v for v in listing.get("Versions", []) + listing.get("DeleteMarkers", []) if v["Key"] == key]
    for version in versions:
        s3.delete_object(Bucket=bucket, Key=key, VersionId=version["VersionId"])
    return "deleted" if versions else "missing"



def on_artifact(event: Dict[str, Any]) -> None:
    props = event["ResourceProperties"]
    physical = f"s3://{props['Bucket']}/{props['Key']}"
    if event["RequestType"] == "Delete":
        bucket, key = split_uri(event.get("PhysicalResourceId") or physical)
        cfn.respond(event, "SUCCESS", event.get("PhysicalResourceId") or physical,
                    f"artifact {remove_packed(bucket, key)}")
        return
    cfn.respond(event, "SUCCESS", physical, f"packed {props['Source']}", ensure_packed(props))
