"""The execution roles' grants, read from the template (issue #19, part 4): each grant as small as
what SageMaker does with it."""

from __future__ import annotations

import json

from aws_cdk import aws_kms as kms
from aws_cdk.assertions import Template

from .cfnsim.iam import Request, decide
from .conftest import role_statements
from constructs_jumpstart import JumpStartBatchTransform, JumpStartEndpoint, JumpStartTrainingJob

MOBILENET = "pytorch-ic-mobilenet-v2"


def _job(stack, **kw) -> JumpStartTrainingJob:
    args = dict(model_id=MOBILENET, model_version="3.0.25", training_data="s3://my-data/train/")
    args.update(kw)
    return JumpStartTrainingJob(stack, "FineTune", **args)


def _actions(statement: dict) -> list:
    action = statement["Action"]
    return [action] if isinstance(action, str) else action


def _create_grants(template: Template) -> list:
    return [s for s in role_statements(template) if "kms:CreateGrant" in _actions(s)]


def test_kms_create_grant_only_for_aws_resources(make_stack):
    """``kms:CreateGrant`` (SageMaker's grants on a volume key) only when SageMaker, an AWS service
    integrated with KMS, asks on the role's behalf (``kms:GrantIsForAWSResource``)."""
    stack = make_stack()
    key = kms.Key(stack, "Key", enable_key_rotation=True)
    _job(stack, volume_encryption_key=key, output_encryption_key=key)
    JumpStartBatchTransform(stack, "Classify", model_id=MOBILENET, model_version="3.0.25",
                            input_data="s3://my-data/images/", encryption_key=key)
    grants = _create_grants(Template.from_stack(stack))
    assert len(grants) == 2, grants
    for statement in grants:
        assert _actions(statement) == ["kms:CreateGrant"], statement
        assert statement["Condition"] == {"Bool": {"kms:GrantIsForAWSResource": "true"}}, statement


def test_the_fine_tuned_model_reads_only_its_jobs_model_tar_gz(make_stack):
    """The model of a training job's output reads the one object the job reports
    (``ModelArtifacts.S3ModelArtifacts``, ``<output>/<job name>/output/model.tar.gz``), not the whole
    output prefix (every job's output and the checkpoints)."""
    stack = make_stack()
    job = _job(stack, use_spot=True)
    JumpStartEndpoint(stack, "Tuned", model_id=MOBILENET, model_version="3.0.25", model_data=job.model_data)
    t = Template.from_stack(stack)
    statements = role_statements(t, "TunedModelRole")
    reads = [s for s in statements if any(a.startswith("s3:Get") for a in _actions(s))]
    text = json.dumps(reads)
    assert "/jumpstart-training*" not in text and "checkpoints" not in text, text
    result = next(iter(t.find_resources("Custom::JumpStartJobResult")))
    split = {"Fn::Select": [1, {"Fn::Split": ["s3://", {"Fn::GetAtt": [result, "ModelArtifacts"]}]}]}
    assert [s["Resource"] for s in reads] == [{"Fn::Join": ["", ["arn:", {"Ref": "AWS::Partition"}, ":s3:::", split]]}]


def _log_resources(template: Template, role_prefix: str) -> list:
    statements = [s for s in role_statements(template, role_prefix)
                  if any(a.startswith("logs:") for a in _actions(s))]
    resources = [r for s in statements for r in (s["Resource"] if isinstance(s["Resource"], list) else [s["Resource"]])]
    texts = [r["Fn::Join"][1][-1] if isinstance(r, dict) else r for r in resources]
    return [text[text.index(":log-group:"):] for text in texts]


def test_execution_roles_write_only_the_log_groups_of_what_they_run(make_stack):
    """SageMaker's documented log groups ("Log groups and streams that Amazon SageMaker AI sends to
    Amazon CloudWatch Logs"): a model runs in endpoints (``/aws/sagemaker/Endpoints/<name>``) and
    transform jobs (``/aws/sagemaker/TransformJobs``), a training job in ``/aws/sagemaker/TrainingJobs``;
    never every group under ``/aws/sagemaker/`` (notebooks, Studio, processing, labeling jobs)."""
    stack = make_stack()
    _job(stack)
    JumpStartEndpoint(stack, "Serve", model_id=MOBILENET, model_version="3.0.25")
    t = Template.from_stack(stack)
    model = _log_resources(t, "ServeModelRole")
    assert sorted(model) == [":log-group:/aws/sagemaker/Endpoints/*:*",
                             ":log-group:/aws/sagemaker/TransformJobs:*"], model
    training = _log_resources(t, "FineTuneRole")
    assert sorted(training) == [":log-group:/aws/sagemaker/TrainingJobs:*"], training


def _arn(value) -> str:
    """A statement's resource with the partition filled in (account and region are concrete in
    ``make_stack``); any other token stays a placeholder no request matches."""
    if isinstance(value, str):
        return value
    parts = value["Fn::Join"][1] if "Fn::Join" in value else [value]
    return "".join(p if isinstance(p, str) else "aws" if p == {"Ref": "AWS::Partition"} else "{token}" for p in parts)


def _decide(template: Template, role_prefix: str, action: str, resource: str) -> str:
    statements = [dict(s, Resource=[_arn(r) for r in (s["Resource"] if isinstance(s["Resource"], list)
                                                       else [s["Resource"]])])
                  for s in role_statements(template, role_prefix)]
    return decide([{"Statement": statements}], Request(action, resource))


def test_log_writes_are_allowed_on_the_arns_cloudwatch_logs_authorizes(make_stack):
    """What CloudWatch Logs asks IAM, not what our grants look like: "Overview of managing access
    permissions to your CloudWatch Logs resources" says a log group's actions are authorized on
    ``log-group:NAME:*`` (the form without ``:*`` only for TagResource, UntagResource and
    ListTagsForResource), and the Service Authorization Reference authorizes PutLogEvents on the stream
    (``log-group:NAME:log-stream:STREAM``). A grant of ``log-group:NAME`` alone is denied."""
    stack = make_stack()
    _job(stack)
    t = Template.from_stack(stack)
    group = "arn:aws:logs:us-west-2:123456789012:log-group:/aws/sagemaker/TrainingJobs"
    for action in ("logs:CreateLogGroup", "logs:CreateLogStream", "logs:DescribeLogStreams"):
        assert _decide(t, "FineTuneRole", action, group + ":*") == "allow", action
    stream = group + ":log-stream:jumpstart-ft-1/algo-1-1764720000"
    assert _decide(t, "FineTuneRole", "logs:PutLogEvents", stream) == "allow"
    other = "arn:aws:logs:us-west-2:123456789012:log-group:/aws/sagemaker/ProcessingJobs:*"
    assert _decide(t, "FineTuneRole", "logs:CreateLogStream", other) != "allow"


def _s3_statements(template: Template, role_prefix: str) -> list:
    return [s for s in role_statements(template, role_prefix) if any(a.startswith("s3:") for a in _actions(s))]


def test_granted_prefixes_end_in_a_slash_and_listing_is_by_prefix(make_stack):
    """What the job reads from a bucket and writes under its output prefix: ``train/*``, not
    ``train*`` (which also matches ``train-secrets/``); the output prefix ``jumpstart-training/*``
    (SageMaker writes ``<S3OutputPath>/<job name>/...``); listing only with an ``s3:prefix``
    condition (no unconditioned ``s3:List*``)."""
    from aws_cdk import aws_s3 as s3

    stack = make_stack()
    data = s3.Bucket(stack, "Data")
    _job(stack, training_data=data, training_data_prefix="train/", use_spot=True)
    text = json.dumps(_s3_statements(Template.from_stack(stack), "FineTuneRole"))
    assert '"/train/*"' in text and '"/jumpstart-training/*"' in text and '"/jumpstart-training/checkpoints/*"' in text
    assert '"/jumpstart-training*"' not in text and '"/train*"' not in text, text
    for statement in _s3_statements(Template.from_stack(stack), "FineTuneRole"):
        listing = [a for a in _actions(statement) if a.startswith("s3:List")]
        assert listing in ([], ["s3:ListBucket"]), statement
        if listing:
            assert "s3:prefix" in json.dumps(statement.get("Condition")), statement


def test_a_bucket_prefix_without_a_trailing_slash_is_refused(make_stack):
    """SageMaker's S3Prefix reads every key that starts with the prefix: ``train`` is also
    ``train-secrets/``. A bucket's prefix must say which folder it means."""
    import pytest
    from aws_cdk import aws_s3 as s3

    from constructs_jumpstart import JumpStartError

    stack = make_stack()
    with pytest.raises(JumpStartError, match="training_data: the prefix 'train' has no trailing '/'.*end it with '/'"):
        _job(stack, training_data=s3.Bucket(stack, "Data"), training_data_prefix="train")


def test_statements_on_the_stacks_own_buckets_require_its_account(make_stack):
    """S3 statements over a bucket the stack creates hold ``s3:ResourceAccount`` = the stack's account
    (a bucket of the same name in another account is not reached); a bucket you pass is left as it is."""
    from aws_cdk import aws_s3 as s3

    stack = make_stack()
    data = s3.Bucket(stack, "Data")
    job = _job(stack, training_data=data, training_data_prefix="train/", use_spot=True)
    JumpStartEndpoint(stack, "Tuned", model_id=MOBILENET, model_version="3.0.25", model_data=job.model_data)
    other = make_stack()
    imported = _job(other, training_data=s3.Bucket.from_bucket_name(other, "Theirs", "their-data"),
                    training_data_prefix="train/")
    t = Template.from_stack(stack)
    statements = _s3_statements(t, "FineTuneRole") + _s3_statements(t, "TunedModelRole")
    own = [s for s in statements if "FineTuneOutput" in json.dumps(s) or "Data" in json.dumps(s["Resource"])]
    assert len(own) >= 4, own
    for statement in own:
        assert statement.get("Condition", {}).get("StringEquals", {}).get("s3:ResourceAccount") == "123456789012", \
            statement
    theirs = [s for s in _s3_statements(Template.from_stack(other), "FineTuneRole")
              if "their-data" in json.dumps(s)]
    assert theirs and all("s3:ResourceAccount" not in json.dumps(s) for s in theirs), theirs


def test_expected_bucket_owner_conditions_the_grants_on_your_uris(make_stack):
    """``expected_bucket_owner=`` (an account id) puts ``s3:ResourceAccount`` on the grants of the S3
    URIs and buckets you pass (training data, a transform's input and output bucket); JumpStart's own
    buckets (the base model, the script: owned by AWS) are never conditioned on it."""
    from aws_cdk import aws_s3 as s3

    stack = make_stack()
    _job(stack, training_data="s3://my-data/train/", validation_data="s3://my-data/val/",
         expected_bucket_owner="111122223333")
    JumpStartBatchTransform(stack, "Classify", model_id=MOBILENET, model_version="3.0.25",
                            input_data="s3://my-data/images/", expected_bucket_owner="111122223333",
                            output_bucket=s3.Bucket.from_bucket_name(stack, "Out", "my-out"))
    t = Template.from_stack(stack)
    statements = _s3_statements(t, "FineTuneRole") + _s3_statements(t, "ClassifyModelRole")
    mine = [s for s in statements if "my-data" in json.dumps(s) or "my-out" in json.dumps(s)]
    assert len(mine) >= 6, mine
    for statement in mine:
        assert statement["Condition"]["StringEquals"]["s3:ResourceAccount"] == "111122223333", statement
    jumpstart = [s for s in statements if "jumpstart-cache-prod" in json.dumps(s)]
    assert jumpstart and all("111122223333" not in json.dumps(s) for s in jumpstart), jumpstart


def test_async_and_capture_writes_to_the_stacks_buckets_require_its_account(make_stack):
    from constructs_jumpstart.hosting import AsyncInferenceConfig, DataCaptureConfig

    stack = make_stack()
    JumpStartEndpoint(stack, "Async", model_id=MOBILENET, model_version="3.0.25",
                      async_inference=AsyncInferenceConfig())
    JumpStartEndpoint(stack, "Capture", model_id=MOBILENET, model_version="3.0.25",
                      data_capture=DataCaptureConfig())
    t = Template.from_stack(stack)
    writes = [s for s in _s3_statements(t, "AsyncModelRole") + _s3_statements(t, "CaptureModelRole")
              if "s3:PutObject" in _actions(s)]
    assert len(writes) == 3, writes
    for statement in writes:
        assert statement["Condition"] == {"StringEquals": {"s3:ResourceAccount": "123456789012"}}, statement


def test_model_artifacts_in_buckets_are_listed_only_by_prefix(make_stack):
    """A model served from a bucket's folder (``ModelSource.from_bucket(bucket, "tuned/")``) or from a
    packed artifact reads its objects and lists only under its prefix: no ``s3:List*`` on the bucket."""
    from aws_cdk import aws_s3 as s3

    from constructs_jumpstart import ModelSource
    from constructs_jumpstart.hosting import ServerlessConfig

    stack = make_stack()
    bucket = s3.Bucket(stack, "Models")
    JumpStartEndpoint(stack, "Folder", model_id=MOBILENET, model_version="3.0.25",
                      model_data=ModelSource.from_bucket(bucket, "tuned/"))
    JumpStartEndpoint(stack, "Packed", model_id=MOBILENET, model_version="3.0.25",
                      model_data=ModelSource.from_bucket(bucket, "tuned/"), serverless=ServerlessConfig())
    t = Template.from_stack(stack)
    for role in ("FolderModelRole", "PackedModelRole"):
        statements = _s3_statements(t, role)
        assert statements, role
        for statement in statements:
            listing = [a for a in _actions(statement) if a.startswith("s3:List")]
            assert listing in ([], ["s3:ListBucket"]), statement
            assert not listing or "s3:prefix" in json.dumps(statement["Condition"]), statement
            assert all("*" not in a for a in _actions(statement)), statement
