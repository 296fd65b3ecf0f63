"""Issue #19 part 2: what the handler does with an event anyone allowed ``lambda:InvokeFunction`` can
send. Responses and signals go only to CloudFormation's pre-signed hosts; S3 keys and archive members
become tar members only when they stay inside the model directory."""

from __future__ import annotations

import io
import json
import tarfile

import boto3
import pytest

from constructs_jumpstart.provider.asset.handler import artifacts, cfn, index

from .test_jobs_handler import REGION, artifact_event, aws, s3, sent  # noqa: F401 - fixtures


REAL_URLS = [
    "https://cloudformation-custom-resource-response-useast1.s3.amazonaws.com/arn%3Aaws%3Acloudformation%3Aus-east-1"
    "%3A123456789012%3Astack/S/1%7CJob%7Creq?AWSAccessKeyId=A&Expires=1&Signature=x",
    "https://cloudformation-custom-resource-response-uswest2.s3-us-west-2.amazonaws.com/x%7Cy?Signature=z",
    "https://cloudformation-custom-resource-response-uswest2.s3.us-west-2.amazonaws.com/x?X-Amz-Signature=z",
    "https://cloudformation-custom-resource-response-cnnorth1.s3.cn-north-1.amazonaws.com.cn/x?Signature=z",
    "https://cloudformation-waitcondition-us-east-1.s3.amazonaws.com/arn%3Aaws/1/Handle?Signature=z",
    "https://cloudformation-waitcondition-eu-west-1.s3.eu-west-1.amazonaws.com/arn%3Aaws/1/Handle?Signature=z",
]
FOREIGN_URLS = [
    "https://attacker.example/collect",
    "http://cloudformation-custom-resource-response-useast1.s3.amazonaws.com/x",  # not https
    "https://cloudformation-custom-resource-response-useast1.s3.amazonaws.com.attacker.example/x",
    "https://attacker-bucket.s3.amazonaws.com/x",
    "https://user@cloudformation-waitcondition-us-east-1.s3.amazonaws.com/x",
    "https://cloudformation-waitcondition-us-east-1.s3.amazonaws.com:8443/x",
    "https://169.254.169.254/latest/meta-data/",
]


@pytest.mark.parametrize("url", REAL_URLS)
def test_cloudformation_presigned_hosts_are_accepted(url, monkeypatch):
    opened = []
    monkeypatch.setattr(cfn.urllib.request, "urlopen", lambda request, timeout: opened.append(request) or io.BytesIO())
    cfn.put(url, b"{}")
    assert [r.full_url for r in opened] == [url]


@pytest.mark.parametrize("url", FOREIGN_URLS)
def test_a_put_to_any_other_host_is_refused(url, monkeypatch):
    opened = []
    monkeypatch.setattr(cfn.urllib.request, "urlopen", lambda request, timeout: opened.append(request) or io.BytesIO())
    with pytest.raises(ValueError, match="pre-signed"):
        cfn.put(url, b"{}")
    assert opened == []


def test_a_forged_event_with_a_foreign_response_url_does_nothing(monkeypatch):
    """The event is refused before any work: no job, no model, no PUT."""
    opened, handled = [], []
    monkeypatch.setattr(cfn.urllib.request, "urlopen", lambda request, timeout: opened.append(request) or io.BytesIO())
    monkeypatch.setitem(index.HANDLERS, "Custom::JumpStartJob", lambda event: handled.append(event))
    event = {"RequestType": "Create", "ResponseURL": "https://attacker.example/r", "StackId": "s", "RequestId": "r",
             "LogicalResourceId": "Job", "ResourceType": "Custom::JumpStartJob", "ResourceProperties": {}}
    with pytest.raises(ValueError):
        index.on_event(event)
    assert handled == [] and opened == []


def test_a_forged_wait_handle_is_refused_before_the_job_starts(monkeypatch):
    opened, handled = [], []
    monkeypatch.setattr(cfn.urllib.request, "urlopen", lambda request, timeout: opened.append(request) or io.BytesIO())
    monkeypatch.setitem(index.HANDLERS, "Custom::JumpStartJob", lambda event: handled.append(event))
    event = {"RequestType": "Create", "ResponseURL": REAL_URLS[0], "StackId": "s", "RequestId": "r",
             "LogicalResourceId": "Job", "ResourceType": "Custom::JumpStartJob",
             "ResourceProperties": {"WaitHandle": "https://attacker.example/signal"}}
    index.on_event(event)
    assert handled == []
    assert [json.loads(r.data)["Status"] for r in opened] == ["FAILED"]
    assert "pre-signed" in json.loads(opened[0].data)["Reason"]


# -- tar members -----------------------------------------------------------------------------------


@pytest.mark.parametrize("key", ["model/v1/../../etc/passwd", "model/v1//etc/passwd", "model/v1/a/../b"])
def test_packer_refuses_a_prefix_key_that_would_leave_the_model_directory(s3, sent, key):  # noqa: F811
    s3.put_object(Bucket="jumpstart", Key=key, Body=b"x")
    index.on_event(artifact_event("Create"))
    assert sent[-1]["Status"] == "FAILED"
    assert key in sent[-1]["Reason"]
    assert "Versions" not in s3.list_object_versions(Bucket="artifacts")


def _archive(*members: tarfile.TarInfo) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        ok = tarfile.TarInfo("model.bin")
        ok.size = 1
        tar.addfile(ok, io.BytesIO(b"m"))
        for member in members:
            tar.addfile(member, io.BytesIO(b"x" * member.size) if member.isfile() else None)
    return buffer.getvalue()


def _member(name: str, kind: bytes = tarfile.REGTYPE, size: int = 1, linkname: str = "") -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.type, info.linkname = kind, linkname
    info.size = size if kind == tarfile.REGTYPE else 0
    return info


@pytest.mark.parametrize("member", [
    _member("../escape"), _member("/etc/passwd"), _member("a/../../b"),
    _member("link", tarfile.SYMTYPE, linkname="/etc/passwd"), _member("hard", tarfile.LNKTYPE, linkname="model.bin"),
    _member("dev", tarfile.CHRTYPE), _member("blk", tarfile.BLKTYPE), _member("pipe", tarfile.FIFOTYPE),
], ids=lambda m: m.name)
def test_packer_refuses_an_archive_member_that_is_no_plain_file_inside_the_model_directory(s3, sent, member):  # noqa: F811
    s3.put_object(Bucket="jumpstart", Key="model/v1.tar.gz", Body=_archive(member))
    index.on_event(artifact_event("Create", source="s3://jumpstart/model/v1.tar.gz"))
    assert sent[-1]["Status"] == "FAILED", sent[-1]
    assert member.name in sent[-1]["Reason"]


def test_packer_keeps_directories_and_a_leading_dot_slash(s3, sent):  # noqa: F811
    s3.put_object(Bucket="jumpstart", Key="model/v1.tar.gz",
                  Body=_archive(_member("./", tarfile.DIRTYPE), _member("./code", tarfile.DIRTYPE),
                                _member("./code/x.py")))
    index.on_event(artifact_event("Create", source="s3://jumpstart/model/v1.tar.gz"))
    assert sent[-1]["Status"] == "SUCCESS", sent[-1]["Reason"]
    body = s3.get_object(Bucket="artifacts", Key=artifacts.split_uri(sent[-1]["Data"]["ArtifactUri"])[1])["Body"].read()
    with tarfile.open(fileobj=io.BytesIO(body), mode="r:gz") as tar:
        assert tar.getnames() == ["model.bin", "code", "code/x.py"]
