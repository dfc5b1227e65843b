"""Type stubs from the spec: every operation and schema known to editors and type checkers.

    from openapi_client_openai.stubs import generate, write_typings
    files = generate()                          # {"_client.pyi": ..., "types.pyi": ...}
    write_typings("typings", spec="openai.yaml")  # what `openapi-client-openai stubs` does

The client resolves operations at run time and never imports this package (nor any stub).
Two files are generated from a spec: ``types.pyi`` (a TypedDict, ``Literal`` or alias for
every schema a request, an answer or a stream event uses; see ``_types``) and
``_client.pyi`` (both clients with a method per operation; see ``_methods``).  The other
stubs are written by hand and ship in the package (``__init__.pyi``, ``_response.pyi`` for
``Result[T]``, ``_stream.pyi`` for ``Stream[E, F]``, ``_azure.pyi`` for the Azure clients).  Where the stubs go:

- inside the package, for the packaged default spec: at build time, by the build hook
  (``hatch_build.py``), in the wheel and in an editable install;
- ``./typings/openapi_client_openai/`` for another spec (pyright and Pylance read ``typings``
  without settings; mypy needs ``mypy_path = typings``);
- a partial stub package, ``openapi_client_openai-stubs`` in site-packages (``--into-env``),
  which both checkers find with no settings.

Output is byte-identical from run to run: nothing depends on time, hashing order or paths.
"""

from __future__ import annotations

import os

TYPE_CHECKING = False
if TYPE_CHECKING:
    from ..spec import SpecIndex

__all__ = [
    "GENERATED",
    "HAND_WRITTEN",
    "STUB_PACKAGE",
    "generate",
    "stub_files",
    "write_package_stubs",
    "write_stub_package",
    "write_typings",
]

GENERATED = ("_client.pyi", "types.pyi")
HAND_WRITTEN = ("__init__.pyi", "_response.pyi", "_stream.pyi", "_azure.pyi", "realtime/__init__.pyi")
PACKAGE = "openapi_client_openai"
STUB_PACKAGE = PACKAGE + "-stubs"
_HERE = os.path.dirname(os.path.abspath(__file__))


def generate(spec: str | os.PathLike[str] | SpecIndex | None = None) -> dict[str, str]:
    """Generate the stubs of a spec (a path, a URL, a loaded ``SpecIndex``, or None for the spec
    the client would use) and return their text by file name: ``_client.pyi`` and ``types.pyi``."""
    from ..spec import SpecIndex, _index, load_index
    from ._document import load_document
    from ._methods import ClientStubs
    from ._render import render_client, render_types

    if isinstance(spec, SpecIndex):
        index, document = spec, load_document(spec)
    else:
        _index.KEEP_PARSED = {}  # a spec compiled now is parsed once, for its index and for the stubs
        try:
            index = load_index(spec)
            document = load_document(index)
        finally:
            _index.KEEP_PARSED = None
    stubs = ClientStubs(index, document)
    return {"_client.pyi": render_client(stubs), "types.pyi": render_types(stubs)}


def stub_files(spec: str | os.PathLike[str] | SpecIndex | None = None) -> dict[str, str]:
    """All the stubs of the package for a spec: the generated ones and those written by hand."""
    files = {}
    for name in HAND_WRITTEN:
        with open(os.path.join(os.path.dirname(_HERE), name), encoding="utf-8") as f:
            files[name] = f.read()
    files.update(generate(spec))
    return files


def _write(folder: str, files: dict[str, str]) -> list[str]:
    """Write files into ``folder`` (made if missing), each atomically; return their paths."""
    os.makedirs(folder, exist_ok=True)
    written = []
    for name in sorted(files):
        path = os.path.join(folder, name)
        os.makedirs(os.path.dirname(path), exist_ok=True)  # realtime/__init__.pyi
        tmp = f"{path}.{os.getpid()}.tmp"
        with open(tmp, "w", encoding="utf-8", newline="\n") as f:
            f.write(files[name])
        os.replace(tmp, path)
        written.append(path)
    return written


def write_typings(folder: str | os.PathLike[str], spec: str | os.PathLike[str] | SpecIndex | None = None) -> str:
    """Write the stubs of a spec as ``folder/openapi_client_openai/`` (a ``typings`` folder,
    which pyright and Pylance read first) and return that package folder."""
    target = os.path.join(os.fspath(folder), PACKAGE)
    _write(target, stub_files(spec))
    return target


def write_stub_package(site: str | os.PathLike[str], spec: str | os.PathLike[str] | SpecIndex | None = None) -> str:
    """Write the stubs of a spec as the partial stub package ``openapi_client_openai-stubs`` in
    ``site`` (a site-packages folder) and return its folder.  Partial (PEP 561): what it does
    not hold, checkers read from the package itself."""
    target = os.path.join(os.fspath(site), STUB_PACKAGE)
    _write(target, {**stub_files(spec), "py.typed": "partial\n"})
    return target


def write_package_stubs(
    package: str | os.PathLike[str], spec: str | os.PathLike[str] | SpecIndex | None = None
) -> list[str]:
    """Write the generated stubs into the package folder itself (what the build hook does)."""
    return _write(os.fspath(package), generate(spec))
