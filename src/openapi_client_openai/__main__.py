"""``python -m openapi_client_openai``: the command line."""

from .cli import run

run()
