"""Runs in the SDK's environment (``.venv-sdk``): what SageMaker SDK v2 reports of a spec's benchmark figures,
``JumpStartModel(...).list_deployment_configs()`` and the ``benchmark_metrics`` table ``display_benchmark_metrics``
prints, read offline from local metadata. The instance rate the SDK would add from the Price List API is not
asked (no network): ``add_instance_rate_stats_to_benchmark_metrics`` is replaced by one returning the figures
unchanged. Usage: python benchmarks.py CATALOG MODEL_ID VERSION REGION; prints JSON."""

from __future__ import annotations

import json
import os
import sys
import warnings

catalog, model_id, version, region = sys.argv[1:5]
os.environ.update({
    "AWS_JUMPSTART_MANIFEST_LOCAL_ROOT_DIR_OVERRIDE": catalog, "AWS_JUMPSTART_SPECS_LOCAL_ROOT_DIR_OVERRIDE": catalog,
    "AWS_DEFAULT_REGION": region, "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
    "SAGEMAKER_SUPPRESS_V2_WARNING": "1", "AWS_EC2_METADATA_DISABLED": "true",
})
warnings.simplefilter("ignore")

import boto3  # noqa: E402
from sagemaker.jumpstart import model as js_model  # noqa: E402
from sagemaker.session import Session  # noqa: E402

import botocore.client  # noqa: E402

_real_call = botocore.client.BaseClient._make_api_call


def _offline(self, operation, params):  # the session's account and role lookups; nothing else leaves the process
    if operation == "GetCallerIdentity":
        return {"Account": "123456789012", "Arn": "arn:aws:iam::123456789012:user/oracle", "UserId": "oracle"}
    if operation == "GetRole":
        return {"Role": {"Path": "/", "RoleName": params["RoleName"], "RoleId": "AROAORACLE",
                         "Arn": f"arn:aws:iam::123456789012:role/{params['RoleName']}", "CreateDate": "2026-01-01"}}
    raise RuntimeError(f"the benchmark oracle makes no AWS call, but the SDK asked {operation}")


botocore.client.BaseClient._make_api_call = _offline
js_model.add_instance_rate_stats_to_benchmark_metrics = lambda region, metrics: (None, metrics)
session = Session(boto_session=boto3.Session(region_name=region), default_bucket="sdk-default-bucket")
model = js_model.JumpStartModel(model_id=model_id, model_version=version, region=region, sagemaker_session=session,
                                role="arn:aws:iam::123456789012:role/SdkOracleRole")
table = model.benchmark_metrics
print("ORACLE-JSON " + json.dumps({"configs": model.list_deployment_configs(),
                  "table": json.loads(table.to_json(orient="records"))}, default=str))
