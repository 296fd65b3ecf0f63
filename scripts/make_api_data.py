"""Regenerate ``constructs_jumpstart/api_instance_types.json`` from botocore's SageMaker service model.

The instance types each API accepts are enums in the service model (``ProductionVariantInstanceType``,
``TrainingInstanceType``, ``TransformInstanceType``), and so are a variant's AMI versions
(``ProductionVariantInferenceAmiVersion``). The constructs check them at synth without
importing botocore (a locked synth imports neither the SDK nor botocore), so this file ships the
lists; ``tests/test_api_rules.py`` fails when it differs from the installed botocore's.

Run from the repository root: ``python scripts/make_api_data.py``.
"""

from __future__ import annotations

import json
from pathlib import Path

SHAPES = ("ProductionVariantInstanceType", "TrainingInstanceType", "TransformInstanceType",
          "ProductionVariantInferenceAmiVersion")
TARGET = Path(__file__).resolve().parent.parent / "constructs_jumpstart" / "api_instance_types.json"


def generate() -> str:
    import botocore
    import botocore.loaders

    model = botocore.loaders.Loader().load_service_model("sagemaker", "service-2")
    data = {"_source": f"botocore {botocore.__version__} sagemaker service-2.json",
            **{shape: sorted(model["shapes"][shape]["enum"]) for shape in SHAPES}}
    return json.dumps(data, indent=1, sort_keys=True) + "\n"


if __name__ == "__main__":
    TARGET.write_text(generate())
    print(f"wrote {TARGET}")
