"""Stubs from the spec: what the generator makes of schemas and operations, read as text.

What type checkers make of the stubs (clean under pyright and mypy, examples that check,
planted mistakes reported) is in tests/test_typing.py; delivery (wheel, editable install, the
``stubs`` command) in tests/test_stubs_delivery.py.
"""

from __future__ import annotations

import ast
import os
import re
import subprocess
import sys

import pytest

from openapi_client_openai.spec import load_index
from openapi_client_openai.stubs import generate
from openapi_client_openai.stubs._document import load_document
from openapi_client_openai.stubs._methods import ClientStubs
from openapi_client_openai.stubs._types import REQUEST

from conftest import ROOT, SPEC_30, SPEC_31

SYNTHETIC = r'''
openapi: 3.1.0
info: {title: Synthetic, version: "1"}
paths:
  /things:
    post:
      operationId: createThing
      summary: Create a thing.
      requestBody:
        required: true
        content:
          application/json:
            schema: {$ref: "#/components/schemas/Thing"}
      responses:
        "200":
          description: OK
          content:
            application/json:
              schema: {$ref: "#/components/schemas/Thing"}
    get:
      operationId: list-things
      parameters:
        - {name: limit, in: query, schema: {type: integer}, description: How many.}
        - {name: order, in: query, schema: {type: string, enum: [asc, desc]}}
        - {name: X-Trace-Id, in: header, schema: {type: string}}
      responses:
        "200":
          description: OK
          content:
            application/json:
              schema:
                type: object
                required: [data]
                properties:
                  data: {type: array, items: {$ref: "#/components/schemas/Thing"}}
                  has_more: {type: boolean}
  /trees/{tree_id}:
    get:
      operationId: getTree
      parameters:
        - {name: tree_id, in: path, required: true, schema: {type: string}}
      responses:
        "200":
          description: OK
          content:
            application/json:
              schema: {$ref: "#/components/schemas/Tree"}
    put:
      operationId: replaceTree
      parameters:
        - {name: tree_id, in: path, required: true, schema: {type: string}}
      responses:
        "200":
          description: OK
          content:
            application/json:
              schema: {$ref: "#/components/schemas/Merged"}
  /chats:
    post:
      operationId: createChat
      requestBody:
        required: true
        content:
          application/json:
            schema:
              type: object
              required: [prompt]
              properties:
                prompt: {type: string}
                stream: {type: [boolean, "null"], default: false}
                body: {type: string, description: A field named like the keyword body.}
      responses:
        "200":
          description: OK
          content:
            application/json:
              schema: {$ref: "#/components/schemas/Tree"}
            text/event-stream:
              schema: {$ref: "#/components/schemas/Thing"}
components:
  schemas:
    Thing:
      type: object
      description: A thing.
      required: [name, kind, color, size, "odd-key"]
      properties:
        name: {type: string, description: Its name.}
        kind: {type: string, enum: [a, b], default: a}
        color: {type: [string, "null"]}
        size: {type: integer, nullable: true}
        tags: {type: array, items: {type: string}}
        "odd-key": {type: string}
        nested:
          type: object
          properties:
            deep: {type: boolean}
    Tree:
      $recursiveAnchor: true
      type: object
      required: [children]
      properties:
        label: {const: tree, description: 'A "tree", with a \\ backslash and """ quotes"""'}
        children:
          type: array
          items: {$recursiveRef: "#"}
        shape:
          oneOf:
            - {type: object, title: circle, properties: {type: {const: circle}, r: {type: number}}}
            - {type: object, properties: {type: {enum: [square]}, side: {type: number}}}
          discriminator: {propertyName: type}
        maybe:
          anyOf:
            - {type: object, properties: {x: {type: integer}}}
            - {type: "null"}
    Merged:
      allOf:
        - {$ref: "#/components/schemas/Tree"}
        - {type: object, required: [extra], properties: {extra: {type: string}}}
'''


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory) -> dict[str, str]:
    path = tmp_path_factory.mktemp("spec") / "synthetic.yaml"
    path.write_text(SYNTHETIC)
    return generate(str(path))


def _definition(text: str, name: str) -> str:
    """The text defining ``name`` in a stub (a class with its body, or one assignment)."""
    end = r'(?=^(?!""")\S|\Z)'  # up to the next line that starts a definition (not a docstring)
    match = re.search(rf"^(class {name}\b.*?){end}|^({name}\b\s*[:=].*?){end}", text, re.M | re.S)
    assert match, f"{name} is not defined"
    return match.group(0)


def test_generated_stubs_are_python(synthetic) -> None:
    for name, text in synthetic.items():
        ast.parse(text, name)


def test_request_and_answer_variants_are_kept_apart(synthetic) -> None:
    types = synthetic["types.pyi"]
    answer, request = _definition(types, "Thing"), _definition(types, "ThingParam")
    # The answer has every required field as required; the request makes those with a
    # default (kind) or that may be null (color: a 3.1 type list, size: 3.0 nullable) optional.
    for field in ('"kind": _Required[', '"color": _Required[str | None]', '"size": _Required[int | None]'):
        assert field in answer
    for field in ('"kind": _NotRequired[', '"color": _NotRequired[str | None]', '"size": _NotRequired[int | None]'):
        assert field in request
    assert '"name": _Required[str]' in request
    # Arrays: list in answers, any sequence but a str in requests.
    assert '"tags": _NotRequired[list[str]]' in answer and '"tags": _NotRequired[SequenceNotStr[str]]' in request
    client = synthetic["_client.pyi"]
    assert "def create_thing(self, body: _t.ThingParam," in client and "-> Result[_t.Thing]" in client


def test_keys_that_are_no_python_names_use_the_functional_form(synthetic) -> None:
    thing = _definition(synthetic["types.pyi"], "Thing")
    assert thing.startswith('Thing = _TypedDict("Thing", {') and '"odd-key": _Required[str]' in thing
    assert '"""A thing."""' in thing


def test_literals_recursion_unions_and_merged_parts(synthetic) -> None:
    types = synthetic["types.pyi"]
    tree = _definition(types, "Tree")
    assert 'label: _Literal["tree"]' in tree
    assert "children: _Required[list[Tree]]" in tree  # $recursiveRef: "#" is its component
    # oneOf alternatives named from their place: a title, else the discriminator's value.
    assert "shape: TreeShapeCircle | TreeShapeSquare" in tree
    assert 'type: _Literal["circle"]' in _definition(types, "TreeShapeCircle")
    assert 'type: _Literal["square"]' in _definition(types, "TreeShapeSquare")
    # An object or null: the object takes the field's name, no "Variant1".
    assert "maybe: TreeMaybe | None" in tree and "x: int" in _definition(types, "TreeMaybe")
    merged = _definition(types, "Merged")
    assert "children: _Required[list[Tree]]" in merged and "extra: _Required[str]" in merged and "label:" in merged


def test_docstrings_say_what_the_spec_says(synthetic) -> None:
    client = synthetic["_client.pyi"]
    assert '"""Create a thing.' in client and "``POST /things`` (operationId ``createThing``)" in client
    assert "Args:\n            limit: How many." in client
    # A description with quotes and backslashes reads back as written.
    tree = _definition(synthetic["types.pyi"], "Tree")
    doc = tree.split('label: _Literal["tree"]\n', 1)[1].split("\n    children", 1)[0].strip()
    assert ast.literal_eval(doc) == 'A "tree", with a \\\\ backslash and """ quotes"""'


def test_methods_names_keywords_and_lists(synthetic) -> None:
    client = synthetic["_client.pyi"]
    # The snake_case name defines the method; the operationId (an identifier) is an alias.
    assert "    createThing = create_thing\n" in client and "    getTree = get_tree\n" in client
    # Parameters are keyword-only; a required one has no default; a header becomes a keyword.
    assert "def get_tree(self, *, tree_id: str, extra_query:" in client
    assert "limit: int | None = None" in client and "X_Trace_Id: str | None = None" in client
    # paginate/pages take the list's names and give its items.
    assert 'def paginate(self, operation: _Literal["list-things", "list_things"]' in client
    assert "-> _Iterator[_t.Thing]:" in client and "-> _AsyncIterator[_t.Thing]:" in client
    assert "-> _Iterator[Result[_t.ListThingsResponse]]:" in client


def test_streaming_operations_overload_on_the_stream_field(synthetic) -> None:
    client, types = synthetic["_client.pyi"], synthetic["types.pyi"]
    chat = [line for line in client.splitlines() if "def create_chat(" in line]
    returns = [line.rsplit("->", 1)[1] for line in chat]
    stream = " Stream[_t.Thing, _t.Tree]:"
    assert sum(r.startswith(stream) for r in returns) == 1  # body form with stream=True
    assert "stream: _Literal[True]" in _definition(types, "CreateChatRequestStreaming")
    assert "stream: _Literal[False] | None" in _definition(types, "CreateChatRequestNonStreaming")
    # A body field named like one of the method's own keywords (body) keeps the fields out of
    # the keyword form: only body= takes them.
    assert not any("**fields" in line for line in chat)


def test_generation_is_byte_identical_and_does_not_depend_on_the_cache(tmp_path, monkeypatch) -> None:
    first = generate(str(SPEC_30))
    monkeypatch.setenv("OPENAPI_CLIENT_OPENAI_CACHE_DIR", str(tmp_path / "fresh"))  # parsed again, cold
    assert generate(str(SPEC_30)) == first


def test_names_do_not_depend_on_the_order_operations_reach_schemas(tmp_path) -> None:
    """Names come from each schema's place: the same spec with its paths in the other order
    gives the same types.pyi."""
    import yaml

    doc = yaml.safe_load(SYNTHETIC)
    doc["paths"] = dict(reversed(list(doc["paths"].items())))
    flipped = tmp_path / "flipped.yaml"
    flipped.write_text(yaml.safe_dump(doc, sort_keys=False))
    straight = tmp_path / "straight.yaml"
    straight.write_text(SYNTHETIC)
    assert generate(str(flipped))["types.pyi"] == generate(str(straight))["types.pyi"]


@pytest.mark.parametrize("spec", [SPEC_30, SPEC_31], ids=["spec3.0", "spec3.1"])
def test_the_request_rule_is_the_one_validation_follows(spec) -> None:
    """A field a request may leave out is optional in its request TypedDict exactly where the
    validation schemas (``spec._schemas``) do not require it."""
    index = load_index(spec)
    stubs = ClientStubs(index, load_document(index))
    defs = index.schemas()["defs"]
    checked = 0
    for unit in stubs.types.units:
        name = unit.pointer.rsplit("/", 1)[-1]
        if unit.kind != "object" or REQUEST not in unit.variants or "allOf" in unit.node or unit.at != unit.pointer:
            continue
        if not unit.pointer.startswith("#/components/schemas/") or name not in defs:
            continue
        required = {f.key for f in unit.variants[REQUEST] if f.required}
        assert required == set(defs[name].get("required") or ()) & {f.key for f in unit.variants[REQUEST]}, name
        checked += 1
    assert checked > 40


@pytest.mark.parametrize(("spec", "count"), [(SPEC_30, 7), (SPEC_31, 11)], ids=["spec3.0", "spec3.1"])
def test_every_streaming_operation_has_stream_overloads(spec, count) -> None:
    index = load_index(spec)
    stubs = ClientStubs(index, load_document(index))
    streaming = sorted(s.op.id for s in stubs.shapes if any(f.stream_key for f in s.bodies))
    assert len(streaming) == count, streaming
    client = generate(index)["_client.pyi"]
    for shape in stubs.shapes:
        if shape.op.id in streaming:
            name = shape.names[0]
            assert re.search(rf"def {name}\(self, body: _t\.\w+Streaming\b.*-> Stream\[", client), name
            assert re.search(rf"async def {name}\(self, body: _t\.\w+Streaming\b.*-> AsyncStream\[", client), name


def test_answers_of_the_3_1_spec() -> None:
    files = generate(str(SPEC_31))
    client, types = files["_client.pyi"], files["types.pyi"]
    assert "def create_chat_completion(self, body: _t.CreateChatCompletionRequestStreaming," in client
    assert "-> Stream[_t.CreateChatCompletionStreamResponse, _t.CreateChatCompletionResponse]" in client
    assert "def retrieve_file(self, *, file_id: str," in client and "-> Result[_t.OpenAIFile]" in client
    # Speech streams on stream_format: "sse".
    assert 'stream_format: _Literal["sse"]' in types
    # Every type the client names is defined.
    defined = set(re.findall(r"^(?:class )?([A-Za-z_][A-Za-z0-9_]*)\b", types, re.M))
    used = set(re.findall(r"_t\.([A-Za-z_][A-Za-z0-9_]*)", client))
    assert used and used <= defined
    assert len(client.encode()) + len(types.encode()) < 3_000_000


NO_STUBS_AT_RUN_TIME = """
import sys
from openapi_client_openai import OpenAIClient

def typing_modules():
    return sorted(
        m for m in sys.modules
        if m in ("typing", "typing_extensions") or m.startswith(("openapi_client_openai.stubs", "mypy", "pyright"))
    )

client = OpenAIClient(spec=sys.argv[1], api_key="sk-x", base_url="http://127.0.0.1:9/v1", max_retries=0)
client.create_chat_completion, client.listFiles, dir(client)
at_start = typing_modules()
try:
    client.list_models()
except Exception:
    pass  # no server: what the call imported is what matters
print(at_start, [m for m in typing_modules() if m != "typing"])
"""


def test_no_stub_or_typing_module_is_imported_at_run_time() -> None:
    """Building a client and resolving operations import neither the stub generator nor
    ``typing``; a call imports no typing machinery either (``typing_extensions``, which the
    stubs use, the generator, a checker), whether or not the generated stubs sit in the
    package (an editable install has them: Python never imports a ``.pyi``)."""
    done = subprocess.run(
        [sys.executable, "-c", NO_STUBS_AT_RUN_TIME, str(SPEC_31)],
        capture_output=True,
        text=True,
        env=dict(os.environ),
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[] []"


@pytest.mark.parametrize("module", ["__init__", "_response", "_stream", "_azure"])
def test_hand_written_stubs_declare_what_their_modules_export(module) -> None:
    """The stubs written by hand shadow their modules for checkers: each must declare every
    name of its module's ``__all__`` (a name added at run time and not here would be an error
    in users' code), and nothing the module does not have."""
    import importlib

    from openapi_client_openai.stubs import HAND_WRITTEN

    assert f"{module}.pyi" in HAND_WRITTEN
    name = "openapi_client_openai" + ("" if module == "__init__" else f".{module}")
    exported = set(importlib.import_module(name).__all__)
    source = (ROOT / "src" / "openapi_client_openai" / f"{module}.pyi").read_text()
    tree = ast.parse(source)
    declared = set()
    for node in tree.body:
        if isinstance(node, (ast.ClassDef, ast.FunctionDef)):
            declared.add(node.name)
        elif isinstance(node, ast.ImportFrom):
            declared |= {a.asname for a in node.names if a.asname == a.name}
        elif isinstance(node, ast.Import):  # a public submodule (`import package.webhooks as webhooks`:
            # the form pyright resolves to the submodule from a stubs folder that does not hold it)
            declared |= {a.asname for a in node.names if a.asname and a.name.endswith("." + a.asname)}
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            declared.add(node.target.id)  # a constant: ``NAME: type``
        elif isinstance(node, ast.Assign) and getattr(node.targets[0], "id", "") == "__all__":
            assert set(ast.literal_eval(node.value)) == exported
    assert exported <= declared, exported - declared
    assert all(hasattr(importlib.import_module(name), n) for n in declared if not n.startswith("_"))
