"""An S3 fake with the documented behaviours the handler relies on. Sources: the Amazon S3 API
Reference (ListObjectsV2: "returns some or all (up to 1,000) of the objects"; UploadPart: "Part
numbers can be any number from 1 to 10,000" and parts other than the last "must be at least 5 MB";
DeleteBucket: "All objects (including all object versions and delete markers) in the bucket must be
deleted before the bucket itself can be deleted" (BucketNotEmpty); versioning: a DELETE without a
version id adds a delete marker, "Using versioning in S3 buckets"). Transfers take virtual time at
``throughput`` bytes/s, so a slow copy can outlast a Lambda."""

from __future__ import annotations

import hashlib
import itertools
from typing import Any, Callable, Dict, List, Optional

from .botohook import ServiceError

MIN_PART = 5 * 1024 * 1024  # UploadPart / CompleteMultipartUpload: EntityTooSmall below this (not last part)
MAX_PARTS = 10_000
PAGE = 1000


def _missing_bucket(name: str) -> ServiceError:
    return ServiceError("NoSuchBucket", "The specified bucket does not exist", 404)


class Body:
    """A streaming body (like botocore's ``StreamingBody``) whose reads take virtual time."""

    def __init__(self, data: bytes, spend: Callable[[int], None]):
        self.data, self.pos, self.spend = data, 0, spend

    def read(self, amt: Optional[int] = None) -> bytes:
        end = len(self.data) if amt is None or amt < 0 else min(len(self.data), self.pos + amt)
        chunk = self.data[self.pos:end]
        self.pos = end
        self.spend(len(chunk))
        return chunk

    def close(self) -> None:
        pass


class S3:
    def __init__(self, clock, throughput: float = 200e6):
        self.clock, self.throughput = clock, throughput
        self.buckets: Dict[str, Dict[str, Any]] = {}
        self.uploads: Dict[str, Dict[str, Any]] = {}
        self.guard: Callable[[], None] = lambda: None
        self._ids = itertools.count(1)
        self.writes: List[str] = []  # every key written, "bucket/key", in order

    # -- what the simulator itself does (CloudFormation creating a bucket, a job writing output) --

    def spend(self, nbytes: int) -> None:
        self.clock.now += nbytes / self.throughput
        self.guard()

    def make_bucket(self, name: str, versioned: bool = False, owner: str = "123456789012") -> None:
        """A bucket of ``owner`` (the stack's account unless said: JumpStart's caches are AWS's)."""
        self.buckets.setdefault(name, {"versioned": versioned, "objects": {}, "owner": owner})

    def owner_of(self, name: str) -> Optional[str]:
        """The account that owns a bucket (``s3:ResourceAccount`` of a request on it)."""
        bucket = self.buckets.get(name)
        return bucket["owner"] if bucket else None

    def put(self, bucket: str, key: str, data: bytes, metadata: Optional[Dict[str, str]] = None) -> Dict[str, Any]:
        b = self._bucket(bucket)
        version = {"VersionId": f"v{next(self._ids)}" if b["versioned"] else "null", "data": data,
                   "Metadata": dict(metadata or {}), "LastModified": self.clock.datetime(),
                   "ETag": '"%s"' % hashlib.md5(data).hexdigest(), "marker": False}
        versions = b["objects"].setdefault(key, [])
        if not b["versioned"]:
            versions.clear()
        versions.append(version)
        self.writes.append(f"{bucket}/{key}")
        return version

    def current(self, bucket: str, key: str) -> Optional[Dict[str, Any]]:
        versions = self._bucket(bucket)["objects"].get(key) or []
        return versions[-1] if versions and not versions[-1]["marker"] else None

    def keys(self, bucket: str, prefix: str = "") -> List[str]:
        return sorted(k for k in self._bucket(bucket)["objects"] if k.startswith(prefix) and self.current(bucket, k))

    def remove_bucket(self, name: str) -> None:
        if any(self._bucket(name)["objects"].values()):
            raise ServiceError("BucketNotEmpty", "The bucket you tried to delete is not empty", 409)
        del self.buckets[name]

    def _bucket(self, name: str) -> Dict[str, Any]:
        if name not in self.buckets:
            raise _missing_bucket(name)
        return self.buckets[name]

    def _object(self, bucket: str, key: str, version: Optional[str] = None) -> Dict[str, Any]:
        versions = self._bucket(bucket)["objects"].get(key) or []
        found = next((v for v in versions if v["VersionId"] == version), None) if version else (
            versions[-1] if versions and not versions[-1]["marker"] else None)
        if found is None:
            raise ServiceError("NoSuchKey", "The specified key does not exist.", 404)
        return found

    # -- the API --

    def HeadObject(self, Bucket, Key, **_):
        try:
            obj = self._object(Bucket, Key)
        except ServiceError as err:  # HEAD has no body: the error is the status code alone (S3 API, HeadObject)
            raise ServiceError("404", "Not Found", 404) if err.status == 404 else err
        return {"ContentLength": len(obj["data"]), "Metadata": obj["Metadata"], "ETag": obj["ETag"],
                "VersionId": obj["VersionId"], "LastModified": obj["LastModified"]}

    def GetObject(self, Bucket, Key, VersionId=None, **_):
        obj = self._object(Bucket, Key, VersionId)
        return {"Body": Body(obj["data"], self.spend), "ContentLength": len(obj["data"]), "ETag": obj["ETag"],
                "Metadata": obj["Metadata"], "VersionId": obj["VersionId"]}

    def PutObject(self, Bucket, Key, Body=b"", Metadata=None, **_):
        data = Body.read() if hasattr(Body, "read") else (Body.encode() if isinstance(Body, str) else bytes(Body))
        self.spend(len(data))
        v = self.put(Bucket, Key, data, Metadata)
        return {"ETag": v["ETag"], "VersionId": v["VersionId"]}

    def ListObjectsV2(self, Bucket, Prefix="", ContinuationToken=None, MaxKeys=PAGE, StartAfter="", **_):
        keys = [k for k in self.keys(Bucket, Prefix) if k > (ContinuationToken or StartAfter or "")]
        page, rest = keys[:min(MaxKeys, PAGE)], keys[min(MaxKeys, PAGE):]
        out: Dict[str, Any] = {"KeyCount": len(page), "IsTruncated": bool(rest), "Prefix": Prefix,
                               "Contents": [{"Key": k, "Size": len(self.current(Bucket, k)["data"]),
                                             "ETag": self.current(Bucket, k)["ETag"]} for k in page]}
        if rest:
            out["NextContinuationToken"] = page[-1]
        if not page:
            del out["Contents"]
        return out

    def ListObjectVersions(self, Bucket, Prefix="", **_):
        versions, markers = [], []
        for key in sorted(self._bucket(Bucket)["objects"]):
            if not key.startswith(Prefix):
                continue
            history = self._bucket(Bucket)["objects"][key]
            for i, v in enumerate(reversed(history)):
                entry = {"Key": key, "VersionId": v["VersionId"], "IsLatest": i == 0}
                (markers if v["marker"] else versions).append(entry)
        return {"Versions": versions, "DeleteMarkers": markers, "IsTruncated": False}

    def DeleteObject(self, Bucket, Key, VersionId=None, **_):
        b = self._bucket(Bucket)
        versions = b["objects"].get(Key, [])
        if VersionId:
            b["objects"][Key] = [v for v in versions if v["VersionId"] != VersionId]
        elif b["versioned"]:
            versions.append({"VersionId": f"v{next(self._ids)}", "marker": True, "data": b"", "Metadata": {},
                             "LastModified": self.clock.datetime(), "ETag": ""})
            b["objects"][Key] = versions
        else:
            b["objects"][Key] = []
        if not b["objects"].get(Key):
            b["objects"].pop(Key, None)
        return {}

    def CreateMultipartUpload(self, Bucket, Key, Metadata=None, **_):
        self._bucket(Bucket)
        upload = f"upload-{next(self._ids)}"
        self.uploads[upload] = {"Bucket": Bucket, "Key": Key, "parts": {}, "Metadata": Metadata or {}}
        return {"Bucket": Bucket, "Key": Key, "UploadId": upload}

    def _upload(self, UploadId):
        if UploadId not in self.uploads:
            raise ServiceError("NoSuchUpload", "The specified multipart upload does not exist.", 404)
        return self.uploads[UploadId]

    def UploadPart(self, Bucket, Key, UploadId, PartNumber, Body=b"", **_):
        if not 1 <= PartNumber <= MAX_PARTS:
            raise ServiceError("InvalidArgument", "Part number must be an integer between 1 and 10000, inclusive")
        data = Body.read() if hasattr(Body, "read") else bytes(Body)
        self.spend(len(data))
        etag = '"%s"' % hashlib.md5(data).hexdigest()
        self._upload(UploadId)["parts"][PartNumber] = (etag, data)
        return {"ETag": etag}

    def CompleteMultipartUpload(self, Bucket, Key, UploadId, MultipartUpload=None, **_):
        upload = self._upload(UploadId)
        listed = (MultipartUpload or {}).get("Parts", [])
        if not listed:
            raise ServiceError("MalformedXML", "The XML you provided was not well-formed")
        chunks = []
        for i, part in enumerate(listed):
            etag, data = upload["parts"].get(part["PartNumber"], (None, b""))
            if etag is None or etag != part["ETag"]:
                raise ServiceError("InvalidPart", "One or more of the specified parts could not be found.")
            if i < len(listed) - 1 and len(data) < MIN_PART:
                raise ServiceError("EntityTooSmall", "Your proposed upload is smaller than the minimum allowed size")
            chunks.append(data)
        del self.uploads[UploadId]
        v = self.put(Bucket, Key, b"".join(chunks), upload["Metadata"])
        return {"Bucket": Bucket, "Key": Key, "ETag": v["ETag"], "VersionId": v["VersionId"]}

    def AbortMultipartUpload(self, Bucket, Key, UploadId, **_):
        self._upload(UploadId)
        del self.uploads[UploadId]
        return {}
