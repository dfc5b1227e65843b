"""Type checking a user's code: this package's stubs against the official SDK's types.

The same six scripts (chat, a streamed chat, a streamed Responses call narrowed on its event
types, files with pagination, audio, embeddings and images) are written for both libraries,
and each checker checks each set in the same run, alternating:

- pyright (the PyPI package, node), which keeps no cache between runs: every run is cold;
- times are CPU time (user + system) of the checker's processes, which other jobs on a shared
  machine do not change the way they change wall time;
- mypy: with an empty cache (cold) and with the cache the cold run left (warm);
- both sets must check with 0 errors, or the timing means nothing.

Our stubs are those an installed package has (generated for the packaged spec by the build
hook: ``pip install -e .`` makes them).  Also measured: generating the stubs of the 3 MB 3.1
fixture spec (warm: the parsed spec cached; first: the index cached, the YAML parsed once;
cold: nothing cached) and their size.  Budgets (issue 12): checkers <= 0.6x the SDK's time,
generation <= 1 s, stubs <= 3 MB.

    python benchmarks/type_checking.py [RUNS]

(Not named ``typing.py``: a script's folder comes first on ``sys.path``, and a ``typing.py``
there shadows the standard module for every benchmark that starts a Python process.)
"""

from __future__ import annotations

import json
import pathlib
import shutil
import statistics
import subprocess
import sys
import tempfile

from _common import SPEC_31, row

BIN = pathlib.Path(sys.executable).parent
PACKAGE = pathlib.Path(__file__).resolve().parents[1] / "src" / "openapi_client_openai"

OURS = {
    "chat.py": """
from openapi_client_openai import OpenAIClient

client = OpenAIClient()
result = client.create_chat_completion(
    model="gpt-4o-mini",
    messages=[{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Hello!"}],
    temperature=0.2,
    max_completion_tokens=100,
)
completion = result.json()
print(completion["choices"][0]["message"]["content"], result.request_id)
usage = completion.get("usage")
if usage:
    print(usage["total_tokens"])
""",
    "chat_stream.py": """
from openapi_client_openai import OpenAIClient

client = OpenAIClient()
with client.create_chat_completion(
    model="gpt-4o-mini", messages=[{"role": "user", "content": "Tell me a story."}], stream=True
) as stream:
    for chunk in stream:
        if chunk["choices"]:
            print(chunk["choices"][0]["delta"].get("content") or "", end="")
    print(stream.final()["choices"][0]["finish_reason"])
""",
    "responses.py": """
from openapi_client_openai import OpenAIClient

client = OpenAIClient()
response = client.create_response(model="gpt-4o-mini", input="Write a haiku.", instructions="Be poetic.")
print(response.json()["id"], response.json().get("status"))
with client.create_response(model="gpt-4o-mini", input="Write a haiku.", stream=True) as events:
    for event in events:
        if event["type"] == "response.output_text.delta":
            print(event["delta"], end="")
        elif event["type"] == "response.completed":
            print(event["response"]["id"])
""",
    "files.py": """
from pathlib import Path

from openapi_client_openai import OpenAIClient

client = OpenAIClient()
uploaded = client.create_file(file=Path("batch.jsonl"), purpose="batch").json()
print(uploaded["id"], uploaded["bytes"])
for item in client.paginate("list_files", purpose="batch", limit=100):
    print(item["filename"], item["created_at"])
print(client.retrieve_file(file_id=uploaded["id"]).json()["status"])
print(client.delete_file(file_id=uploaded["id"]).json()["deleted"])
""",
    "audio.py": """
from pathlib import Path

from openapi_client_openai import OpenAIClient

client = OpenAIClient()
transcript = client.create_transcription(file=Path("speech.mp3"), model="gpt-4o-transcribe")
print(transcript.json())
speech = client.create_speech(model="gpt-4o-mini-tts", input="Hello!", voice="alloy", response_format="mp3")
speech.write_to("hello.mp3")
""",
    "embeddings_images.py": """
from openapi_client_openai import OpenAIClient

client = OpenAIClient()
embedding = client.create_embedding(model="text-embedding-3-small", input=["one", "two"], dimensions=256)
for item in embedding.json()["data"]:
    print(item["index"], len(item["embedding"]))
image = client.create_image(model="gpt-image-1", prompt="A cat in a hat", size="1024x1024", n=1)
for picture in image.json().get("data") or []:
    print(picture.get("b64_json", "")[:10])
""",
}

SDK = {
    "chat.py": """
from openai import OpenAI

client = OpenAI()
completion = client.chat.completions.create(
    model="gpt-4o-mini",
    messages=[{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Hello!"}],
    temperature=0.2,
    max_completion_tokens=100,
)
print(completion.choices[0].message.content, completion._request_id)
if completion.usage:
    print(completion.usage.total_tokens)
""",
    "chat_stream.py": """
from openai import OpenAI

client = OpenAI()
with client.chat.completions.stream(
    model="gpt-4o-mini", messages=[{"role": "user", "content": "Tell me a story."}]
) as stream:
    for event in stream:
        if event.type == "content.delta":
            print(event.delta, end="")
    print(stream.get_final_completion().choices[0].finish_reason)
""",
    "responses.py": """
from openai import OpenAI

client = OpenAI()
response = client.responses.create(model="gpt-4o-mini", input="Write a haiku.", instructions="Be poetic.")
print(response.id, response.status)
with client.responses.create(model="gpt-4o-mini", input="Write a haiku.", stream=True) as events:
    for event in events:
        if event.type == "response.output_text.delta":
            print(event.delta, end="")
        elif event.type == "response.completed":
            print(event.response.id)
""",
    "files.py": """
from pathlib import Path

from openai import OpenAI

client = OpenAI()
uploaded = client.files.create(file=Path("batch.jsonl"), purpose="batch")
print(uploaded.id, uploaded.bytes)
for item in client.files.list(purpose="batch", limit=100):
    print(item.filename, item.created_at)
print(client.files.retrieve(uploaded.id).status)
print(client.files.delete(uploaded.id).deleted)
""",
    "audio.py": """
from pathlib import Path

from openai import OpenAI

client = OpenAI()
transcript = client.audio.transcriptions.create(file=Path("speech.mp3"), model="gpt-4o-transcribe")
print(transcript)
speech = client.audio.speech.create(model="gpt-4o-mini-tts", input="Hello!", voice="alloy", response_format="mp3")
speech.write_to_file("hello.mp3")
""",
    "embeddings_images.py": """
from openai import OpenAI

client = OpenAI()
embedding = client.embeddings.create(model="text-embedding-3-small", input=["one", "two"], dimensions=256)
for item in embedding.data:
    print(item.index, len(item.embedding))
image = client.images.generate(model="gpt-image-1", prompt="A cat in a hat", size="1024x1024", n=1)
for picture in image.data or []:
    print((picture.b64_json or "")[:10])
""",
}

GENERATE = """
import time
t = time.perf_counter()
from openapi_client_openai.stubs import generate
generate({spec!r})
print((time.perf_counter() - t) * 1000)
"""
LOAD_INDEX = "from openapi_client_openai.spec import load_index; load_index({spec!r})"


def child_ms(code: str, cache: pathlib.Path) -> float:
    """The milliseconds a child process measures itself (its last line), with this cache folder."""
    import os

    env = {**os.environ, "OPENAPI_CLIENT_OPENAI_CACHE_DIR": str(cache)}
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # as installed: from bytecode
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True)
    return float(done.stdout.strip().splitlines()[-1]) if done.stdout.strip() else 0.0


def _project(root: pathlib.Path, scripts: dict[str, str]) -> pathlib.Path:
    root.mkdir(parents=True)
    for name, text in scripts.items():
        (root / name).write_text(text.lstrip())
    (root / "pyrightconfig.json").write_text(json.dumps({"pythonVersion": "3.10"}))
    return root


def cpu_seconds(argv: list[str], cwd: pathlib.Path) -> tuple[float, str]:
    """CPU seconds (user + system) a command and its children take, and what it printed.

    CPU time rather than wall time: on a machine shared with other jobs, waiting for a core
    says nothing about the checker, while the work it does is the same."""
    import resource

    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    done = subprocess.run(argv, capture_output=True, text=True, cwd=cwd)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime), done.stdout


def pyright(project: pathlib.Path) -> tuple[float, int]:
    """CPU seconds for one pyright run over the project's scripts, and its error count."""
    argv = [str(BIN / "pyright"), "--outputjson", "--pythonpath", sys.executable, *sorted(OURS)]
    seconds, out = cpu_seconds(argv, project)
    return seconds, json.loads(out)["summary"]["errorCount"]


def mypy(project: pathlib.Path, cache: pathlib.Path) -> tuple[float, int]:
    """CPU seconds for one mypy run over the project's scripts with this cache folder, and its errors."""
    argv = [str(BIN / "mypy"), "--python-executable", sys.executable, "--cache-dir", str(cache), *sorted(OURS)]
    seconds, out = cpu_seconds(argv, project)
    return seconds, sum(1 for line in out.splitlines() if ": error:" in line)


def main() -> None:
    """Print checker times for both libraries, then generation time and stub size."""
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    if not (PACKAGE / "_client.pyi").exists():
        sys.exit("no generated stubs in the package: run `pip install -e .` first (its build hook makes them)")
    work = pathlib.Path(tempfile.mkdtemp())
    try:
        projects = {"ours": _project(work / "ours", OURS), "sdk": _project(work / "sdk", SDK)}
        times: dict[tuple[str, str], list[float]] = {}
        errors: dict[tuple[str, str], int] = {}
        for n in range(runs):
            for name, project in projects.items():
                seconds, count = pyright(project)
                times.setdefault((name, "pyright"), []).append(seconds)
                errors[(name, "pyright")] = count
                cache = work / f"cache-{name}-{n}"
                seconds, count = mypy(project, cache)
                times.setdefault((name, "mypy cold"), []).append(seconds)
                errors[(name, "mypy")] = count
                seconds, _ = mypy(project, cache)
                times.setdefault((name, "mypy warm"), []).append(seconds)
        print(f"type checking the same {len(OURS)} scripts: CPU time, median of {runs} runs")
        for (name, checker), count in sorted(errors.items()):
            if count:
                print(f"  !! {name} scripts: {count} errors under {checker}: the timing below is not comparable")
        for what in ("pyright", "mypy cold", "mypy warm"):
            sdk = statistics.median(times[("sdk", what)]) * 1000
            ours = statistics.median(times[("ours", what)]) * 1000
            print(row(f"{what}: openai SDK", sdk, "ms"))
            print(row(f"{what}: openapi-client-openai", ours, "ms", sdk, "SDK   (budget <= 0.6x)"))
    finally:
        shutil.rmtree(work, ignore_errors=True)

    print(f"generating the stubs of {SPEC_31.name} ({SPEC_31.stat().st_size / 1e6:.1f} MB), median of {runs}")
    cache = pathlib.Path(tempfile.mkdtemp())
    code = GENERATE.format(spec=str(SPEC_31))
    try:
        child_ms(code, cache)  # bytecode for what the children import
        colds, firsts, warms = [], [], []
        for _ in range(runs):
            shutil.rmtree(cache, ignore_errors=True)
            colds.append(child_ms(code, cache))
            shutil.rmtree(cache, ignore_errors=True)
            child_ms(LOAD_INDEX.format(spec=str(SPEC_31)), cache)
            firsts.append(child_ms(code, cache))
            warms.append(child_ms(code, cache))
        print(row("warm (the parsed spec cached)", statistics.median(warms), "ms"))
        print(row("first for a loaded spec (YAML parsed once)", statistics.median(firsts), "ms"))
        print(row("cold (nothing cached, the index too)", statistics.median(colds), "ms"))
        print("    (budget: <= 1000 ms)")
    finally:
        shutil.rmtree(cache, ignore_errors=True)
    from openapi_client_openai.stubs import stub_files

    files = stub_files(str(SPEC_31))
    size = sum(len(text.encode()) for text in files.values())
    print(f"  stubs of {SPEC_31.name}: {size / 1e6:.2f} MB in {len(files)} files (budget <= 3 MB)")
    lines = sum(text.count("\n") for text in files.values())
    print(f"    {lines:,} lines; " + ", ".join(f"{k} {len(v.encode()) / 1e3:.0f} kB" for k, v in sorted(files.items())))


if __name__ == "__main__":
    main()
