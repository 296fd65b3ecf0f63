"""Regenerate ``constructs_jumpstart/trust_data.json``: what a lockfile entry may point at without an opt-in.

A lockfile entry is replayed without the SDK, so a hand-edited one could name any image, bucket or model
package. The loader refuses what the SageMaker SDK itself would never resolve to, by these facts, taken
from the installed ``sagemaker-core`` (a locked synth never imports it, so they ship as data):

* ``image_accounts``: per region, every ECR registry (account) of ``sagemaker/core/image_uri_config/*.json``
  (the ``registries`` maps ``image_uris.retrieve`` reads), and ``ecr_hostname``: the ECR endpoint botocore
  resolves for the region, as ``image_uris.retrieve`` builds ``{registry}.dkr.{hostname}/{repository}``;
* ``buckets``: per region, the JumpStart content, gated-content and Neo buckets of
  ``sagemaker/core/jumpstart/region_config.json`` (``JUMPSTART_REGION_NAME_TO_LAUNCHED_REGION_DICT``,
  what ``get_jumpstart_content_bucket``, ``get_jumpstart_gated_content_bucket`` and ``get_neo_content_bucket``
  return; ``get_draft_model_content_bucket`` picks one of the three), and ``domain``
  (``common_utils.get_domain_for_region``, the host of a spec's EULA URL);
* ``no_volume_kms_instance_types``: of the instance types the SageMaker API accepts
  (``api_instance_types.json``), those ``common_utils.instance_supports_kms`` refuses;
* ``model_package_accounts``: the SDK has no list of them. JumpStart's model packages are AWS Marketplace
  packages, published in the Marketplace's account of each region; the accounts are those of the AWS
  samples ``aws/amazon-sagemaker-examples`` ``aws_marketplace/using_model_packages/src/scikit_product_arns.py``.
  They are kept here, by hand, and trusted in any region (a package ARN's region must still be the entry's).

Run from the repository root: ``python scripts/make_trust_data.py``; ``tests/test_trust.py`` fails when the
shipped file differs from what the installed SDK gives.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Dict, Iterator, Set

ROOT = Path(__file__).resolve().parent.parent
TARGET = ROOT / "constructs_jumpstart" / "trust_data.json"
API_DATA = ROOT / "constructs_jumpstart" / "api_instance_types.json"
MARKETPLACE_ACCOUNTS = {  # aws/amazon-sagemaker-examples, aws_marketplace/using_model_packages/src/scikit_product_arns.py
    "ap-northeast-1": "977537786026", "ap-northeast-2": "745090734665", "ap-south-1": "077584701553",
    "ap-southeast-1": "192199979996", "ap-southeast-2": "666831318237", "ca-central-1": "470592106596",
    "eu-central-1": "446921602837", "eu-west-1": "985815980388", "eu-west-2": "856760150666",
    "us-east-1": "865070037744", "us-east-2": "057799348421", "us-west-1": "382657785993",
    "us-west-2": "594846645681",
}


def _registries(config: Any) -> Iterator[Dict[str, str]]:
    """Every ``registries`` map (region -> account) anywhere in an image_uri_config document."""
    if isinstance(config, dict):
        for key, value in config.items():
            if key == "registries" and isinstance(value, dict):
                yield value
            else:
                yield from _registries(value)
    elif isinstance(config, list):
        for value in config:
            yield from _registries(value)


def _image_accounts() -> Dict[str, Set[str]]:
    import sagemaker.core.image_uris as image_uris

    accounts: Dict[str, Set[str]] = {}
    for path in sorted((Path(image_uris.__file__).parent / "image_uri_config").glob("*.json")):
        for registries in _registries(json.loads(path.read_text())):
            for region, account in registries.items():
                accounts.setdefault(region, set()).add(account)
    return accounts


def _ecr_hostname(region: str) -> str:
    """As ``image_uris.retrieve``: botocore's ECR endpoint for the region (il-central-1 spelled out)."""
    from sagemaker.core.common_utils import _botocore_resolver

    endpoint = _botocore_resolver().construct_endpoint("ecr", region)
    if region == "il-central-1" and not endpoint:
        endpoint = {"hostname": f"ecr.{region}.amazonaws.com"}
    return endpoint["hostname"] if endpoint else f"ecr.{region}.amazonaws.com"


def _no_volume_kms() -> Set[str]:
    from sagemaker.core.common_utils import instance_supports_kms

    api = json.loads(API_DATA.read_text())
    types = {t for key, values in api.items() if not key.startswith("_") for t in values}
    return {t for t in types if t.startswith("ml.") and not instance_supports_kms(t)}


def generate() -> str:
    import importlib.metadata

    from sagemaker.core.common_utils import get_domain_for_region
    from sagemaker.core.jumpstart.constants import JUMPSTART_REGION_NAME_TO_LAUNCHED_REGION_DICT as launched

    images = _image_accounts()
    regions: Dict[str, Any] = {}
    for region in sorted(set(images) | set(launched)):
        info = launched.get(region)
        buckets = [b for b in (getattr(info, "content_bucket", None), getattr(info, "gated_content_bucket", None),
                               getattr(info, "neo_content_bucket", None)) if b]
        regions[region] = {"buckets": sorted(buckets), "domain": get_domain_for_region(region),
                           "ecr_hostname": _ecr_hostname(region), "image_accounts": sorted(images.get(region, ()))}
    data = {
        "_source": f"sagemaker-core {importlib.metadata.version('sagemaker-core')}: image_uri_config/*.json, "
                   "jumpstart/region_config.json, common_utils.instance_supports_kms; model-package accounts: "
                   "scripts/make_trust_data.py",
        "model_package_accounts": sorted(set(MARKETPLACE_ACCOUNTS.values())),
        "no_volume_kms_instance_types": sorted(_no_volume_kms()),
        "regions": regions,
    }
    return json.dumps(data, indent=1, sort_keys=True) + "\n"


if __name__ == "__main__":
    TARGET.write_text(generate())
    print(f"wrote {TARGET}")
