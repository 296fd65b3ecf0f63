"""The README's and the docs' examples run: every ```python block of README.md and docs/*.md, in a
stack of a fresh app on the shipped catalog, and every `jumpstart` command of their ```bash blocks,
through Typer's CliRunner on the shipped catalog. A block preceded by ``<!-- not run: REASON -->``
is skipped with its reason (none are, today). The README stays a short read that links every page."""

from __future__ import annotations

import re
import shlex
from pathlib import Path
from typing import Iterator, List, Tuple

import aws_cdk as cdk
import pytest
from typer.testing import CliRunner

from constructs_jumpstart.cli import app

from .conftest import ROOT

PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
BLOCK = re.compile(r"(<!-- not run: (?P<reason>[^>]*) -->\n)?```(?P<lang>\w*)\n(?P<code>.*?)^```", re.S | re.M)


def blocks(lang: str) -> Iterator[Tuple[str, str, str]]:
    """(page:line, code, reason it is not run or "") of every ``lang`` block."""
    for page in PAGES:
        text = page.read_text()
        for match in BLOCK.finditer(text):
            if match["lang"] == lang:
                line = text[: match.start("code")].count("\n") + 1
                yield f"{page.relative_to(ROOT)}:{line}", match["code"], match["reason"] or ""


def _cli_commands() -> List[Tuple[str, str]]:
    found = []
    for where, code, _ in blocks("bash"):
        for line in code.strip().splitlines():
            for command in line.split("#", 1)[0].split(";"):
                if command.strip().startswith("jumpstart "):
                    found.append((where, command.strip()))
    return found


@pytest.mark.parametrize("where, command", _cli_commands(), ids=[c for _, c in _cli_commands()])
def test_every_jumpstart_command_of_the_docs_runs(where, command):
    if command.startswith("jumpstart lock") or command.startswith("jumpstart invoke"):
        pytest.skip("runs an app / needs a deployed endpoint: tests/test_cli.py and tests/test_invoke.py run them")
    args = shlex.split(command)[1:]
    if "--source" not in args and "--metadata-dir" not in args and args != ["--version"]:
        args += ["--source", "shipped"]  # the docs' live default needs AWS credentials
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, (where, result.output)


@pytest.mark.parametrize("where, code, reason", list(blocks("python")), ids=[w for w, _, _ in blocks("python")])
def test_every_python_snippet_of_the_docs_runs(where, code, reason, lockfile):
    if reason:
        pytest.skip(reason)
    app_ = cdk.App(context={"jumpstart:metadata": "shipped", "jumpstart:lockfile": str(lockfile),
                            "jumpstart:errors": "raise"})
    env = cdk.Environment(account="123456789012", region="us-west-2")
    namespace = {"self": cdk.Stack(app_, "Snippet", env=env)}
    exec(compile(code, where, "exec"), namespace)  # noqa: S102 - the docs' own examples
    for name, value in list(namespace.items()):  # a snippet that defines a stack, as a user would
        if isinstance(value, type) and issubclass(value, cdk.Stack) and value is not cdk.Stack:
            value(app_, f"Own{name}", env=env)
    app_.synth()


def test_the_readme_is_a_short_read_that_links_every_page():
    readme = (ROOT / "README.md").read_text()
    assert len(readme.splitlines()) <= 200
    for page in sorted((ROOT / "docs").glob("*.md")):
        assert f"(docs/{page.name})" in readme, f"the README does not link {page.name}"


def test_links_between_pages_name_pages_that_exist():
    for page in PAGES:
        for target in re.findall(r"\]\(([^)#:]+\.md)(?:#[^)]*)?\)", page.read_text()):
            assert (page.parent / target).resolve().exists(), (page.name, target)
