"""Synthesized cloud assemblies of the example app (``app.build_app``, contexts as in
tests/test_cfn_lint.py) and of small apps built for one scenario; each synthesized once per session."""

from __future__ import annotations

import atexit
import shutil
import tempfile
from pathlib import Path
from typing import Any, Callable, Dict, Optional

import aws_cdk as cdk

from constructs_jumpstart.lockfile import forget_open_lockfiles

from .template import Assembly

EXAMPLES: Dict[str, Dict[str, Any]] = {
    "finetune": {},
    "transform": {},
    "serverless": {},
    "script-mode": {"example": "endpoint", "model_id": "fixture-tf-script-mode"},
    "gated-llm": {"example": "endpoint", "model_id": "fixture-llm-gated", "accept_eula": "true"},
}
_ROOT = Path(tempfile.mkdtemp(prefix="cfnsim-"))
atexit.register(shutil.rmtree, _ROOT, True)
_CACHE: Dict[str, Assembly] = {}


def _context(key: str, extra: Dict[str, Any]) -> Dict[str, Any]:
    return {"jumpstart:metadata": "shipped", "jumpstart:errors": "raise",
            "jumpstart:lockfile": str(_ROOT / f"{key}.lock.json"),
            "region": "us-west-2", **extra}


def example(name: str, **context: Any) -> Assembly:
    """The example app's stack for ``name`` (an entry of EXAMPLES), with extra context."""
    key = f"example-{name}-" + "-".join(f"{k}={v}" for k, v in sorted(context.items()))
    if key not in _CACHE:
        import app as example_app

        forget_open_lockfiles()
        outdir = _ROOT / key
        ctx = _context(key, {"example": name, **EXAMPLES.get(name, {}), **context})
        example_app.build_app(cdk.App(outdir=str(outdir), context=ctx)).synth()
        forget_open_lockfiles()
        _CACHE[key] = Assembly.load(outdir)
    return _CACHE[key]


def custom(key: str, build: Callable[[cdk.App], Any], context: Optional[Dict[str, Any]] = None) -> Assembly:
    """An app built by ``build(app)`` (one stack)."""
    if key not in _CACHE:
        forget_open_lockfiles()
        outdir = _ROOT / f"custom-{key}"
        app = cdk.App(outdir=str(outdir), context=_context(key, context or {}))
        build(app)
        app.synth()
        forget_open_lockfiles()
        _CACHE[key] = Assembly.load(outdir)
    return _CACHE[key]
