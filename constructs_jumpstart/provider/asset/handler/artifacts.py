"""``Custom::JumpStartArtifact``: the artifact packer. Streams an S3 prefix (or a ``model.tar.gz``,
with a ``sourcedir.tar.gz`` under ``code/``: the SDK's script-mode repack) into one ``model.tar.gz``
(multipart upload, bounded memory, no local copy), for what the service refuses ``ModelDataSource``
for (batch transform, serverless) and for script-mode models.

Keys: the construct owns ``Prefix``; the object is ``Prefix`` + a digest of the resolved ``Source``
and ``Code`` + ``/model.tar.gz``, and its URI is the physical id. A source whose value changes at
deploy is therefore a new physical id (CloudFormation replaces, then deletes the old object with the
old properties); a retried Create or an update rollback (the old properties) finds its object and
returns it. Delete removes exactly the object of its physical id when that is one of the construct's,
else the one its properties name (the Delete of a failed Create, or of a CloudFormation-generated
id), every version, and nothing of another construct.

Time: reads are ranged GETs and parts are uploaded on a few threads (S3 throughput grows with
concurrent connections), and the packer stops ``MARGIN_SECONDS`` before Lambda's deadline: it aborts
the upload and answers FAILED, naming what it did, so CloudFormation rolls back at once."""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import tarfile
import threading
from collections import deque
from concurrent.futures import Future, ThreadPoolExecutor, wait
from typing import Any, Callable, Deque, Dict, Iterator, List, Optional, Tuple

from botocore.exceptions import ClientError

from . import aws, cfn

PART_SIZE = 16 * 1024 * 1024
"""Bytes of a part (S3: 5 MiB to 5 GiB, at most 10,000 parts, "Amazon S3 multipart upload limits"):
10,000 parts of 16 MiB hold 156 GiB, five times the limit."""
RANGE_SIZE = 16 * 1024 * 1024
"""Bytes of one ranged GET: AWS suggests byte ranges of 8-16 MB on concurrent connections ("Performance
design patterns for Amazon S3", horizontal scaling and request parallelization)."""
THREADS = 4
"""Parts uploaded at once, and ranges read ahead: one request per connection, and AWS suggests one
concurrent request for each 85-90 MB/s wanted (same page); a Lambda function's network carries less
than that in all (docs/jobs.md, "The artifact packer"), so four of each keep it busy. Eight connections fit
the client's pool (botocore ``Config.max_pool_connections``, default 10). Memory: at most
``THREADS + 1`` parts and ``THREADS + 1`` ranges, 160 MiB, of the function's 1769 MB."""
COPY_SIZE = 1024 * 1024
"""Bytes tarfile copies per call (its default, 16 KiB, costs a Python call per 16 KiB)."""
MARGIN_SECONDS = 60.0
"""Time kept before Lambda's deadline to wait for the parts in flight, abort the upload and answer
CloudFormation (its response URL is called with a 30-second timeout, ``cfn.put``)."""
ABORT_WAIT_SECONDS = 20.0
"""How long a stopping packer waits for the parts in flight before it aborts anyway."""


PROJECTION_AFTER_SECONDS = 30.0
"""The packer judges its rate only after this long (the first parts and ranges are still in flight)."""
PROJECTION_TRUST = 0.8
"""It stops early only when even 25 % faster than so far it would not finish before the margin."""


class UnsafeMember(ValueError):
    """An S3 key or archive member that would not be a plain file or directory inside the model
    directory: the packing fails, naming it."""


def member_name(name: str, where: str) -> str:
    """The tar member name for ``name`` (an S3 key relative to the source prefix, or an archive
    member's name), one rule for both: leading ``./`` dropped; an absolute path or a ``..``
    component refused (:class:`UnsafeMember`, naming ``where``). Python's ``tarfile.data_filter``
    ("Extraction filters", Python tarfile docs) would strip the leading ``/`` and extract it;
    SageMaker unpacks the artifact into ``/opt/ml/model`` with its own tar, so a name that means
    something else there than in the user's S3 is refused instead of rewritten. ``""`` is the
    archive's own root (``./``), which has no member of its own."""
    while name.startswith("./"):
        name = name[2:]
    if name in ("", "."):
        return ""
    if name.startswith("/") or ".." in name.split("/") or "" in name.rstrip("/").split("/"):
        raise UnsafeMember(f"{where}: {name!r} is not a relative path inside the model directory "
                           "(an absolute path, '..' or an empty component)")
    return name


def member_kind(member: tarfile.TarInfo, where: str) -> None:
    """Only regular files and directories are packed. A symlink or hard link may name a file outside
    the model directory or one the model does not own, a device or fifo is no data: each refused
    (:class:`UnsafeMember`), as ``tarfile.data_filter`` refuses links outside the destination and
    device files ("Extraction filters", Python tarfile docs), and the SageMaker Python SDK's
    ``custom_extractall_tarfile`` skips links (``sagemaker.utils``)."""
    if not (member.isfile() or member.isdir()):
        raise UnsafeMember(f"{where}: {member.name!r} is a link, device or fifo, not a file or directory")


class OutOfTime(RuntimeError):
    """The invocation's deadline is near: the packing stops, and the Create answers FAILED."""


class MultipartWriter(io.RawIOBase):
    """A write-only stream into an S3 multipart upload: parts of ``part_size`` are uploaded as they
    fill, on ``threads`` threads, with at most ``threads`` parts in flight (a write blocks while all
    are). Memory: the part filling plus the parts in flight, at most ``(threads + 1) * part_size``
    (plus one write), whatever the size of the artifact. ``guard`` runs before each part is queued
    (it raises to stop)."""

    def __init__(self, s3, bucket: str, key: str, part_size: Optional[int] = None,
                 metadata: Optional[Dict[str, str]] = None, threads: Optional[int] = None,
                 guard: Callable[[], None] = lambda: None):
        self.s3, self.bucket, self.key, self.guard = s3, bucket, key, guard
        self.part_size, threads = part_size or PART_SIZE, threads or THREADS
        self.upload_id = s3.create_multipart_upload(Bucket=bucket, Key=key, ContentType="application/gzip",
                                                    Metadata=metadata or {})["UploadId"]
        self.pool = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="part")
        self.slots = threading.BoundedSemaphore(threads)
        self.futures: List[Future] = []
        self.buffer = bytearray()
        self.size = 0
        self.held = self.most_held = 0  # bytes of parts queued or in flight (measured by the benchmark)
        self.uploaded = 0  # bytes of the parts S3 has taken
        self.lock = threading.Lock()

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:
        self.buffer += data
        self.size += len(data)
        while len(self.buffer) >= self.part_size:
            self._queue(bytes(self.buffer[: self.part_size]))
            del self.buffer[: self.part_size]
        return len(data)

    def _queue(self, chunk: bytes) -> None:
        self.guard()
        self._raise_failed()
        self.slots.acquire()
        number = len(self.futures) + 1
        self._hold(len(chunk))
        future = self.pool.submit(self._send, number, chunk)
        future.add_done_callback(lambda _: (self._hold(-len(chunk)), self.slots.release()))
        self.futures.append(future)

    def _hold(self, delta: int) -> None:
        with self.lock:
            self.held += delta
            self.most_held = max(self.most_held, self.held + len(self.buffer))

    def _send(self, number: int, chunk: bytes) -> Dict[str, Any]:
        etag = self.s3.upload_part(Bucket=self.bucket, Key=self.key, UploadId=self.upload_id, PartNumber=number,
                                   Body=chunk)["ETag"]
        with self.lock:
            self.uploaded += len(chunk)
        return {"ETag": etag, "PartNumber": number}

    def _raise_failed(self) -> None:
        for future in self.futures:
            if future.done() and future.exception() is not None:
                raise future.exception()

    def complete(self) -> None:
        if self.buffer or not self.futures:
            self._queue(bytes(self.buffer))
            self.buffer.clear()
        parts = [future.result() for future in self.futures]
        self.pool.shutdown()
        self.s3.complete_multipart_upload(Bucket=self.bucket, Key=self.key, UploadId=self.upload_id,
                                          MultipartUpload={"Parts": parts})

    def abort(self) -> None:
        """Cancel the parts not started, wait a little (``ABORT_WAIT_SECONDS``, inside the margin) for
        those in flight, then abort: a part still uploading may succeed after the abort ("Aborting a
        multipart upload", Amazon S3 User Guide); what is left over, the bucket's lifecycle rule
        removes after a day."""
        for future in self.futures:
            future.cancel()
        wait([f for f in self.futures if not f.done()], timeout=ABORT_WAIT_SECONDS)
        self.pool.shutdown(wait=False, cancel_futures=True)
        self.s3.abort_multipart_upload(Bucket=self.bucket, Key=self.key, UploadId=self.upload_id)


class RangedReader(io.RawIOBase):
    """One object read in order as ranged GETs of ``RANGE_SIZE``, ``ahead`` of them in flight on
    ``pool``: S3 serves each connection at a bounded rate, so a sequential read of one object would
    bound the packer. Memory: at most ``ahead + 1`` ranges."""

    def __init__(self, s3, bucket: str, key: str, size: int, pool: ThreadPoolExecutor, ahead: Optional[int] = None,
                 guard: Callable[[], None] = lambda: None, counted: Callable[[int], None] = lambda n: None):
        self.s3, self.bucket, self.key, self.size, self.pool, self.guard = s3, bucket, key, size, pool, guard
        self.counted = counted
        self.starts = iter(range(0, size, RANGE_SIZE))
        self.pending: Deque[Future] = deque()
        self.current, self.offset = b"", 0
        for _ in range(ahead or THREADS):
            self._fetch_next()

    def readable(self) -> bool:
        return True

    def _fetch_next(self) -> None:
        start = next(self.starts, None)
        if start is not None:
            self.pending.append(self.pool.submit(self._get, start, min(start + RANGE_SIZE, self.size) - 1))

    def _get(self, first: int, last: int) -> bytes:
        return self.s3.get_object(Bucket=self.bucket, Key=self.key, Range=f"bytes={first}-{last}")["Body"].read()

    def read(self, size: int = -1) -> bytes:
        """``size`` bytes (all that is left when negative), fewer only at the end: tarfile takes a
        short read for a truncated object."""
        size = self.size if size is None or size < 0 else size
        pieces = []
        while size > 0 and self._ready():
            piece = self.current[self.offset: self.offset + size]
            self.offset += len(piece)
            size -= len(piece)
            pieces.append(piece)
        return b"".join(pieces)

    def _ready(self) -> bool:
        """Whether bytes are left, waiting for the next range when the current one is used up."""
        if self.offset < len(self.current):
            return True
        if not self.pending:
            return False
        self.guard()
        self.current, self.offset = self.pending.popleft().result(), 0
        self.counted(len(self.current))
        self._fetch_next()
        return True

    def close(self) -> None:
        for future in self.pending:
            future.cancel()
        super().close()


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


def _size(nbytes: int) -> str:
    return f"{nbytes / 2**30:.2f} GiB" if nbytes >= 2**30 else f"{nbytes / 2**20:.0f} MiB"


class _Packing:
    """One packing: the source's objects, the reads' thread pool, and the guard that stops it before
    the deadline, naming how far it got: at ``MARGIN_SECONDS`` before it, or earlier once the rate so
    far shows the rest cannot be done in time (one slow part may take longer than the margin)."""

    def __init__(self, s3, source: str, code: str, total: int):
        self.s3, self.source, self.code, self.total = s3, source, code, total
        self.pool = ThreadPoolExecutor(max_workers=THREADS, thread_name_prefix="range")
        self.writer: Optional[MultipartWriter] = None
        self.read = 0
        self.first_left = aws.seconds_left()

    def count_read(self, nbytes: int) -> None:
        self.read += nbytes

    def guard(self) -> None:
        left = aws.seconds_left()
        usable = left - MARGIN_SECONDS
        if usable <= 0:
            self._stop(f"{MARGIN_SECONDS:.0f} s before the Lambda timeout")
        needed = self._projected(self.first_left - left)
        if needed * PROJECTION_TRUST > usable:
            self._stop(f"with {left:.0f} s left before the Lambda timeout, as the rate so far needs "
                       f"{needed:.0f} s more")

    def _projected(self, elapsed: float) -> float:
        """Seconds the rest takes at the rate so far: bytes still to read and to upload, at the time per
        byte moved so far (reads and uploads counted alike, so it holds whether they overlap or not)."""
        moved = self.read + (self.writer.uploaded if self.writer else 0)
        if self.first_left == float("inf") or elapsed < PROJECTION_AFTER_SECONDS or not moved:
            return 0.0
        return max(0, 2 * self.total - moved) * elapsed / moved

    def _stop(self, when: str) -> None:
        done = self.writer.size if self.writer else 0
        raise OutOfTime(
            f"stopped {when}, with {_size(done)} of {_size(self.total)} packed ({self.source}); the upload was "
            "aborted. Pack it yourself into a model.tar.gz and pass it as model_data=.")

    def reader(self, uri: str, size: int) -> RangedReader:
        bucket, key = split_uri(uri)
        return RangedReader(self.s3, bucket, key, size, self.pool, guard=self.guard, counted=self.count_read)

    def copy_prefix(self, tar, objects: List[Dict[str, Any]]) -> None:
        bucket, prefix = split_uri(self.source)
        for item in objects:
            info = tarfile.TarInfo(member_name(item["Key"][len(prefix):], f"s3://{bucket}/{item['Key']}"))
            info.size, info.mode, info.mtime = item["Size"], 0o644, 0
            with self.reader(f"s3://{bucket}/{item['Key']}", item["Size"]) as body:
                tar.addfile(info, body)

    def copy_archive(self, tar, uri: str, size: int, under: str = "") -> None:
        """Every member of the ``.tar.gz`` at ``uri``, streamed (``r|gz``), optionally under a directory."""
        with self.reader(uri, size) as body, tarfile.open(fileobj=body, mode="r|gz") as archive:
            for member in archive:
                member_kind(member, uri)
                name = member_name(member.name, uri)
                if not name:
                    continue  # the archive's root
                member.name = f"{under}/{name}" if under else name
                tar.addfile(member, archive.extractfile(member) if member.isfile() else None)


def pack(s3, source: str, bucket: str, key: str, limit_bytes: int, code: str = "") -> Dict[str, Any]:
    """Stream ``source`` into ``s3://bucket/key`` as one gzip'd tar in the layout SageMaker unpacks
    into ``/opt/ml/model``: the objects of an S3 prefix (paths relative to it), or the members of a
    ``model.tar.gz``; with ``code`` (a ``sourcedir.tar.gz``), its members under ``code/``, as the
    SDK's repack does for script-mode models. Refuses, before writing anything, more than
    ``limit_bytes`` of input; stops (and aborts the upload) ``MARGIN_SECONDS`` before the deadline."""
    objects = _sources(s3, source)
    code_objects = _sources(s3, code) if code else []
    total = sum(o["Size"] for o in objects + code_objects)
    if not objects:
        raise RuntimeError(f"{source} holds no objects to pack")
    if total > limit_bytes:
        raise RuntimeError(
            f"{source} holds {total / 2**30:.1f} GiB, more than the packer's limit of {limit_bytes / 2**30:.1f} GiB "
            "(what one Lambda invocation streams within its 15 minutes). Pack it yourself into a model.tar.gz "
            "and pass it as model_data=.")
    packing = _Packing(s3, source, code, total)
    writer = packing.writer = MultipartWriter(s3, bucket, key, metadata={"source-bytes": str(total)},
                                              guard=packing.guard)  # metadata: read back by a retry
    try:
        # level 0: the gzip framing SageMaker needs (model.tar.gz) without deflate, whose CPU time (47 MiB/s at
        # level 1 on one core) would bound the packer, for weights that do not compress anyway
        with gzip.GzipFile(fileobj=writer, mode="wb", compresslevel=0, mtime=0) as gz:
            with tarfile.open(fileobj=gz, mode="w|", format=tarfile.PAX_FORMAT, copybufsize=COPY_SIZE) as tar:
                if source.endswith("/"):
                    packing.copy_prefix(tar, objects)
                else:
                    packing.copy_archive(tar, source, objects[0]["Size"])
                if code:
                    packing.copy_archive(tar, code, code_objects[0]["Size"], under="code")
        writer.complete()
    except BaseException as err:
        try:
            writer.abort()
        except Exception as abort_err:  # noqa: BLE001 - the packing's own error is the one to report
            print(f"could not abort the upload {writer.upload_id} (the lifecycle rule will): {abort_err}")
        raise err
    finally:
        packing.pool.shutdown(wait=False, cancel_futures=True)  # ranges still in flight are dropped
    return {"ArtifactUri": f"s3://{bucket}/{key}", "SourceBytes": str(total), "ArtifactBytes": str(writer.size)}


# -- the resource --------------------------------------------------------------------------------


def artifact_key(props: Dict[str, Any]) -> str:
    """The object the properties name: under the construct's ``Prefix``, a digest of the resolved
    ``Source`` and ``Code``. ``Key``: a resource of an earlier version of this library, whose
    properties named the key itself (its Delete, after the upgrade replaced it)."""
    if "Key" in props:
        return props["Key"]
    prefix = props["Prefix"]
    if not prefix.endswith("/") or ".." in prefix.split("/"):
        raise ValueError(f"Prefix {prefix!r} must be a key prefix ending in '/'")
    inputs = json.dumps([props["Source"], props.get("Code", "")]).encode()
    return f"{prefix}{hashlib.sha256(inputs).hexdigest()[:16]}/model.tar.gz"


def _owned(props: Dict[str, Any], physical_id: str) -> Optional[Tuple[str, str]]:
    """(bucket, key) of ``physical_id`` when it is an object of this construct (under its prefix, in
    its bucket), else ``None`` (the failed-create marker, a CloudFormation-generated id)."""
    owned = f"s3://{props['Bucket']}/{props['Key'] if 'Key' in props else props['Prefix']}"
    if physical_id.startswith(owned) and ".." not in physical_id.split("/"):
        return split_uri(physical_id)
    return None


def ensure_packed(props: Dict[str, Any], bucket: str, key: str) -> Dict[str, Any]:
    s3 = aws.client("s3")
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
    versions: List[Dict[str, Any]] = []
    try:
        for page in s3.get_paginator("list_object_versions").paginate(Bucket=bucket, Prefix=key):
            versions += [v for v in page.get("Versions", []) + page.get("DeleteMarkers", []) if v["Key"] == key]
    except ClientError as err:
        if err.response["Error"]["Code"] in ("NoSuchBucket", "404"):
            return "missing"
        raise
    for version in versions:
        s3.delete_object(Bucket=bucket, Key=key, VersionId=version["VersionId"])
    return "deleted" if versions else "missing"


def on_artifact(event: Dict[str, Any]) -> None:
    props = event["ResourceProperties"]
    bucket, key = props["Bucket"], artifact_key(props)
    if event["RequestType"] == "Delete":
        physical = event.get("PhysicalResourceId") or f"s3://{bucket}/{key}"
        bucket, key = _owned(props, physical) or (bucket, key)
        cfn.respond(event, "SUCCESS", physical, f"artifact s3://{bucket}/{key} {remove_packed(bucket, key)}")
        return
    uri = f"s3://{bucket}/{key}"
    cfn.respond(event, "SUCCESS", uri, f"packed {props['Source']} into {uri}", ensure_packed(props, bucket, key))
