"""The package's shape. Its layers run one way (docs/layout.md): a module imports only its own
layer and the layers above it, only the resolver imports the SageMaker SDK, and the types import no
CDK. Lazy imports inside functions count too; a new module must be given its layer here, or this
test fails. And no line of the library is over 120 characters."""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Dict, Iterator, List, Set, Tuple

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "constructs_jumpstart"

LAYERS: Dict[str, int] = {
    # 0 types: plain data, no CDK scope, no SDK
    "types": 0, "errors": 0,
    # 1 resolution: specs, lockfile, browsing (the resolver is the SDK's only door)
    "resolver": 1, "lockfile": 1, "catalog": 1, "_trust": 1,
    # 2 checks, IAM, nag: what constructs ask at synth (a scope's facts, its resolution, the API's
    # rules, problems as CDK errors, least-privilege statements, acknowledgements)
    "_checks": 2, "_resolution": 2, "_api_rules": 2, "_report": 2, "hyperparameters": 2, "_iam": 2, "nag": 2,
    "_names": 2, "provider": 2, "_prop_types": 2, "_objective": 2,
    # 3 constructs
    "model": 3, "endpoint": 3, "hosting": 3, "_plan": 3, "_variants": 3, "_smoke": 3, "smoke": 3,
    "_artifacts": 3, "_buckets": 3, "jobs": 3, "_exported": 3, "_metrics": 3,
    # 4 tools
    "cli": 4, "invoke": 4,
}
SDK_DOOR = "resolver"


def _room(module: str) -> str:
    """``constructs_jumpstart.jobs.training`` -> ``jobs`` (a subpackage is one room)."""
    return module.split(".")[1]


def imports(path: Path) -> Iterator[str]:
    """Every module ``path`` imports (absolute names; relative imports resolved; ``from x import y``
    yields ``x.y`` too, since ``y`` may be a module)."""
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    package = parts[:-1]
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(package[: len(package) - node.level + 1] + ([node.module] if node.module else []))
            yield base
            yield from (f"{base}.{alias.name}" for alias in node.names)


def edges() -> Iterator[Tuple[str, str]]:
    """(importing room, imported module) for every module of the package but its ``__init__``,
    which only re-exports (lazily) for users."""
    for path in sorted(PACKAGE.rglob("*.py")):
        if path.parent == PACKAGE and path.name == "__init__.py":
            continue
        module = ".".join(path.relative_to(PACKAGE.parent).with_suffix("").parts)
        for target in imports(path):
            yield _room(module), target


def violations(graph: List[Tuple[str, str]], layers: Dict[str, int], sdk_door: str) -> List[str]:
    found: Set[str] = set()
    for room, target in graph:
        if room not in layers:
            found.add(f"{room}: no layer; give it one in tests/test_layers.py and docs/layout.md")
            continue
        if target.split(".")[0] == "sagemaker" and room != sdk_door:
            found.add(f"{room} imports the SageMaker SDK ({target}); only {sdk_door} may")
        if layers[room] == 0 and target.split(".")[0] in ("aws_cdk", "constructs"):
            found.add(f"{room} is plain data (layer 0) but imports the CDK ({target})")
        if not target.startswith("constructs_jumpstart.") or target.count(".") < 1:
            continue
        other = _room(target)
        if other in layers and layers[other] > layers[room]:
            found.add(f"{room} (layer {layers[room]}) imports {target} (layer {layers[other]})")
    return sorted(found)


def test_layers_run_one_way_and_only_the_resolver_imports_the_sdk():
    graph = list(edges())
    assert len({room for room, _ in graph}) >= len(LAYERS) - 2  # the walk sees the package
    assert violations(graph, LAYERS, SDK_DOOR) == []


@pytest.mark.parametrize("graph, expected", [
    ([("types", "constructs_jumpstart.model.JumpStartModel")], "types (layer 0) imports constructs_jumpstart.model"),
    ([("lockfile", "constructs_jumpstart._checks")], "lockfile (layer 1) imports constructs_jumpstart._checks (layer 2)"),
    ([("endpoint", "sagemaker.core.image_uris")], "endpoint imports the SageMaker SDK"),
    ([("newroom", "constructs_jumpstart.types")], "newroom: no layer"),
    ([("types", "aws_cdk.aws_iam")], "types is plain data (layer 0) but imports the CDK"),
])
def test_the_layer_check_catches(graph, expected):
    assert any(expected in v for v in violations(graph, LAYERS, SDK_DOOR))


def test_every_room_of_the_package_has_a_layer_and_every_layer_entry_a_room():
    rooms = {p.stem for p in PACKAGE.glob("*.py") if p.name != "__init__.py"}
    rooms |= {p.name for p in PACKAGE.iterdir() if p.is_dir() and any(p.glob("*.py"))}
    assert rooms == set(LAYERS)


MAX_LINE = 120
# The smoke test's Lambda source ships as an asset: its bytes are hashed into the templates, so
# reformatting it changes every template that uses it. It is kept as it is.
ASSET_SOURCES = ("smoke/",)


def long_lines(root: Path = PACKAGE) -> List[str]:
    found = []
    for path in sorted(root.rglob("*.py")):
        relative = path.relative_to(root).as_posix()
        if relative.startswith(ASSET_SOURCES):
            continue
        found += [f"{relative}:{n}" for n, line in enumerate(path.read_text().splitlines(), 1) if len(line) > MAX_LINE]
    return found


def test_no_line_of_the_library_is_over_120_characters():
    assert long_lines() == []


def test_the_line_check_catches(tmp_path):
    (tmp_path / "room.py").write_text("x = 1\n" + "y = '" + "a" * MAX_LINE + "'\n")
    (tmp_path / "smoke").mkdir()
    (tmp_path / "smoke" / "index.py").write_text("z = '" + "b" * MAX_LINE + "'\n")
    assert long_lines(tmp_path) == ["room.py:2"]


# Hosting is a package of small rooms (issue #20): a contributor changes one mode or concern without
# reading the others. No module of it over ~300 lines, no class over ~250.
HOSTING = PACKAGE / "hosting"
MAX_MODULE_LINES, MAX_CLASS_LINES = 300, 250


def oversized(root: Path = HOSTING) -> List[str]:
    found = []
    for path in sorted(root.rglob("*.py")):
        text = path.read_text()
        lines = len(text.splitlines())
        if lines > MAX_MODULE_LINES:
            found.append(f"{path.name}: {lines} lines")
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, ast.ClassDef):
                size = node.end_lineno - node.lineno + 1
                if size > MAX_CLASS_LINES:
                    found.append(f"{path.name}: class {node.name} {size} lines")
    return found


def test_hosting_rooms_are_small():
    assert oversized() == []


def test_the_size_check_catches(tmp_path):
    (tmp_path / "small.py").write_text("class A:\n    x = 1\n")
    (tmp_path / "big.py").write_text("class B:\n" + "    x = 1\n" * MAX_CLASS_LINES + "y = 2\n" * 60)
    assert oversized(tmp_path) == [f"big.py: {MAX_CLASS_LINES + 61} lines", f"big.py: class B {MAX_CLASS_LINES + 1} lines"]
