"""TLS settings as one ``ssl.SSLContext``, made the same way for both stacks.

``verify=`` says whom to trust: ``True`` (the CA bundle of ``SSL_CERT_FILE``/``SSL_CERT_DIR``,
else certifi's), ``"system"`` (the operating system's trust store: through ``truststore`` when
it is installed, which reaches the macOS keychain and the Windows store, else OpenSSL's default
paths), a path to a CA bundle file or directory, an ``ssl.SSLContext`` used as given, or
``False`` (no verification: for tests only).  ``cert=`` is the client certificate: a PEM file
holding certificate and key, ``(certfile, keyfile)`` or ``(certfile, keyfile, password)``.

The lean stack and httpx both get the context made here (httpx takes it as ``verify=``), so a
setting means the same whichever stack carries the request.  ``check_tls`` runs when a client
is built (no file is read, so construction stays fast); ``ssl_context`` when the first TLS
connection is made.
"""

from __future__ import annotations

import os

from .._errors import ConfigError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

__all__ = ["check_tls", "ssl_context"]


def check_tls(verify: Any, cert: Any) -> None:
    """Refuse a ``verify=``/``cert=`` that cannot work, naming it, before anything is sent."""
    import ssl

    if isinstance(verify, str) and verify != "system":
        if not os.path.exists(verify):
            raise ConfigError(
                f"verify={verify!r}: no such CA bundle file or directory (pass a path, True, 'system' or an SSLContext)"
            )
    elif not isinstance(verify, (bool, ssl.SSLContext)) and verify != "system":
        raise ConfigError(
            f"verify must be True, False, 'system', a CA bundle path or an ssl.SSLContext, not {type(verify).__name__}"
        )
    if cert is None:
        return
    if isinstance(verify, ssl.SSLContext):
        raise ConfigError("cert= cannot be added to an SSLContext given as verify=: load it with load_cert_chain()")
    files = (cert,) if isinstance(cert, (str, os.PathLike)) else cert
    if not isinstance(files, tuple) or not 1 <= len(files) <= 3:
        raise ConfigError("cert must be a PEM file, (certfile, keyfile) or (certfile, keyfile, password)")
    for path in files[:2]:
        if path is not None and not os.path.isfile(path):
            raise ConfigError(f"cert: no such file {os.fspath(path)!r}")


def _trust(verify: Any) -> Any:
    import ssl

    if verify == "system":
        try:
            import truststore
        except ImportError:
            return ssl.create_default_context()  # OpenSSL's default paths (and the Windows store)
        return truststore.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    if verify is False:
        ctx = ssl.create_default_context()
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
        return ctx
    if isinstance(verify, str):
        if os.path.isdir(verify):
            return ssl.create_default_context(capath=verify)
        return ssl.create_default_context(cafile=verify)
    cafile = os.environ.get("SSL_CERT_FILE")
    capath = os.environ.get("SSL_CERT_DIR")
    if not cafile and not capath:
        try:
            import certifi

            cafile = certifi.where()
        except ImportError:
            pass
    return ssl.create_default_context(cafile=cafile, capath=capath)


def ssl_context(verify: Any = True, cert: Any = None) -> Any:
    """The ``ssl.SSLContext`` for ``verify=`` and ``cert=`` (see the module docstring).

    A file that cannot be read (a bad PEM, a wrong password) is a ``ConfigError`` naming the
    setting, never the password.
    """
    import ssl

    if isinstance(verify, ssl.SSLContext):
        return verify
    try:
        ctx = _trust(verify)
    except (OSError, ssl.SSLError) as exc:
        raise ConfigError(f"verify={verify!r}: the CA bundle could not be loaded: {exc}") from None
    if cert is not None:
        files = (cert,) if isinstance(cert, (str, os.PathLike)) else cert
        certfile, keyfile, password = (*files, None, None)[:3]
        try:
            ctx.load_cert_chain(certfile, keyfile, password)
        except (OSError, ssl.SSLError) as exc:
            detail = getattr(exc, "reason", None) or exc.strerror or type(exc).__name__
            raise ConfigError(
                f"cert: the client certificate {os.fspath(certfile)!r} could not be loaded ({detail}): "
                "check the files and the password"
            ) from None
    try:
        ctx.set_alpn_protocols(["http/1.1"])
    except NotImplementedError:  # pragma: no cover - an OpenSSL without ALPN
        pass
    return ctx
