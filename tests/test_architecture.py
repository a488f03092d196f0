"""The package's shape, read statically: no import cycles among atendimento modules, and the
layer rules of design.md §3 (which module may import pyrogram, the database, the rest)."""

from __future__ import annotations

import ast
import functools
import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

import pytest

# Read from the source tree rather than from an imported package: importing would execute the
# modules (and stop at the first broken one), and would hide imports that never run.
PACKAGE = "atendimento"
PACKAGE_DIR = Path(__file__).resolve().parents[1] / PACKAGE

PYROGRAM = frozenset({"pyrogram", "tgcrypto"})
DATABASE = frozenset({"peewee", "playhouse", "psycopg", "psycopg2", "sqlite3"})
# The domain is plain Python: no Telegram, no database, no event loop, no network.
DOMAIN_FORBIDDEN = PYROGRAM | frozenset({"peewee", "playhouse", "asyncio", "aiohttp"})

# The telegram adapter talks to Telegram; the sandbox simulates it at pyrogram's raw level; the
# bench is measurement tooling that runs bare pyrogram bots against the sandbox.
MAY_IMPORT_PYROGRAM = ("atendimento.telegram", "atendimento.sandbox", "atendimento.bench")
MAY_IMPORT_DATABASE = ("atendimento.storage",)
# The bench builds and measures SQLite files as files (memory.py writes millions of rows
# straight with sqlite3, size.py reads SQLite's dbstat): that is its job, and all it needs.
BENCH = "atendimento.bench"
BENCH_DATABASE = frozenset({"sqlite3"})
DOMAIN = "atendimento.domain"
FEATURES = "atendimento.features"
COMPOSERS = ("atendimento.app",)  # the composition root lists the enabled features


@dataclass(frozen=True, order=True)
class Import:
    """One import statement's target, and where it is (for the failure messages)."""

    target: str  # an atendimento module, or the top-level name of anything else
    line: int


def module_name(path: Path, root: Path = PACKAGE_DIR) -> str:
    parts = path.relative_to(root.parent).with_suffix("").parts
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def resolve_imports(source: str, module: str, is_package: bool,
                    modules: Iterable[str]) -> tuple[set[Import], set[Import]]:
    """(imports of atendimento modules, imports of anything else) in one module's source.

    Every import statement counts, wherever it sits: at the top, under `if TYPE_CHECKING:`
    (a circle is a circle for whoever reads the code) or inside a function (it runs later,
    but the dependency is the same). `import a.b.c` and `from a.b import c` (c a submodule)
    depend on a.b.c only: the parent packages Python imports on the way are not counted, or
    every package's `__init__` would look circular. `from a.b import name` depends on a.b.
    Names given to importlib as strings are not seen (the bench's subcommands, the migrations).
    """
    known = frozenset(modules)
    package = module if is_package else module.rpartition(".")[0]
    inside: set[Import] = set()
    outside: set[Import] = set()

    def add(name: str, line: int) -> None:
        if name == PACKAGE or name.startswith(PACKAGE + "."):
            # A name missing from the tree (a typo, or a file not there yet) still depends
            # on the nearest package that exists.
            while name not in known and "." in name:
                name = name.rpartition(".")[0]
            inside.add(Import(name, line))
        else:
            outside.add(Import(name.partition(".")[0], line))

    for node in ast.walk(ast.parse(source, filename=module)):
        if isinstance(node, ast.Import):
            for alias in node.names:
                add(alias.name, node.lineno)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - (node.level - 1)]
                base = ".".join(anchor + ([node.module] if node.module else []))
            else:
                base = node.module or ""
            for alias in node.names:
                submodule = f"{base}.{alias.name}"
                add(submodule if submodule in known else base, node.lineno)
    return inside, outside


@dataclass(frozen=True)
class Graph:
    files: Mapping[str, str]  # atendimento module -> its file, relative to the package's parent
    edges: Mapping[str, frozenset[Import]]  # atendimento module -> the atendimento imports
    external: Mapping[str, frozenset[Import]]  # atendimento module -> everything else


def read_graph(root: Path) -> Graph:
    """The import graph of the package whose directory is ``root``."""
    paths = {module_name(path, root): path for path in sorted(root.rglob("*.py"))}
    packages = {name for name, path in paths.items() if path.name == "__init__.py"}
    edges, external = {}, {}
    for name, path in paths.items():
        inside, outside = resolve_imports(path.read_text(encoding="utf-8"), name,
                                          name in packages, paths)
        # A module "importing itself" is `from . import name` in a package __init__ (or an
        # import of a missing submodule resolved to its package): not a dependency on another.
        edges[name] = frozenset(i for i in inside if i.target != name)
        external[name] = frozenset(outside)
    files = {name: path.relative_to(root.parent).as_posix() for name, path in paths.items()}
    return Graph(files, edges, external)


@functools.cache
def package_graph() -> Graph:
    return read_graph(PACKAGE_DIR)


def strongly_connected(graph: Mapping[str, Iterable[str]]) -> list[list[str]]:
    """Tarjan's algorithm, iterative (no recursion limit to worry about); each component
    sorted, the components in a stable order."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    found: list[list[str]] = []
    counter = 0
    for start in sorted(graph):
        if start in index:
            continue
        work = [(start, iter(sorted(graph.get(start, ()))))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, successors = work[-1]
            advanced = False
            for successor in successors:
                if successor not in index:
                    index[successor] = low[successor] = counter
                    counter += 1
                    stack.append(successor)
                    on_stack.add(successor)
                    work.append((successor, iter(sorted(graph.get(successor, ())))))
                    advanced = True
                    break
                if successor in on_stack:
                    low[node] = min(low[node], index[successor])
            if advanced:
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                found.append(sorted(component))
    return sorted(found)


def import_cycles(graph: Mapping[str, Iterable[str]]) -> list[list[str]]:
    """The components that are cycles: two or more modules, or one that imports itself."""
    return [component for component in strongly_connected(graph)
            if len(component) > 1 or component[0] in graph.get(component[0], ())]


def _where(graph: Graph, module: str, imported: Import) -> str:
    return f"{graph.files[module]}:{imported.line}"


def cycle_report(graph: Graph) -> list[str]:
    """Each cycle's modules, then the imports that close it, with file and line."""
    targets = {module: {i.target for i in imports} for module, imports in graph.edges.items()}
    report = []
    for cycle in import_cycles(targets):
        members = set(cycle)
        report.append("cycle: " + " <-> ".join(cycle))
        report += [f"    {_where(graph, module, imported)}: {module} imports {imported.target}"
                   for module in cycle for imported in sorted(graph.edges[module])
                   if imported.target in members]
    return report


def _in(module: str, prefixes: Iterable[str]) -> bool:
    return any(module == prefix or module.startswith(prefix + ".") for prefix in prefixes)


def _offences(graph: Graph, checked: Iterable[str], forbidden: frozenset[str]) -> list[str]:
    """Where the checked modules import one of the forbidden (non-atendimento) names."""
    return [f"{_where(graph, module, imported)}: {module} imports {imported.target}"
            for module in sorted(checked) for imported in sorted(graph.external[module])
            if imported.target in forbidden]


def _outside(graph: Graph, allowed: Iterable[str]) -> list[str]:
    return [module for module in graph.files if not _in(module, allowed)]


def _fail_if(offences: list[str], heading: str) -> None:
    # pytest.fail rather than assert: the message alone, not the list's repr after it.
    if offences:
        pytest.fail(heading + "\n" + "\n".join(offences), pytrace=False)


# --- the package ------------------------------------------------------------------------------


def test_no_import_cycles_among_atendimento_modules() -> None:
    _fail_if(cycle_report(package_graph()),
             "import cycles (each module depends on itself through the others; move what they "
             "share into a module of its own, or pass it in):")


def test_only_the_telegram_adapter_the_sandbox_and_the_bench_import_pyrogram() -> None:
    graph = package_graph()
    offences = _offences(graph, _outside(graph, MAY_IMPORT_PYROGRAM), PYROGRAM)
    _fail_if(offences, f"only {', '.join(MAY_IMPORT_PYROGRAM)} may import pyrogram/tgcrypto "
                       "(design.md §3):")


def test_only_storage_imports_the_database() -> None:
    graph = package_graph()
    offences = _offences(graph, _outside(graph, [*MAY_IMPORT_DATABASE, BENCH]), DATABASE)
    offences += _offences(graph, [m for m in graph.files if _in(m, [BENCH])],
                          DATABASE - BENCH_DATABASE)
    _fail_if(sorted(offences), f"only {', '.join(MAY_IMPORT_DATABASE)} may import "
                               f"{', '.join(sorted(DATABASE))}, and {BENCH} only "
                               f"{', '.join(sorted(BENCH_DATABASE))} (design.md §3):")


def test_the_domain_is_plain_python() -> None:
    graph = package_graph()
    domain = [module for module in graph.files if _in(module, [DOMAIN])]
    assert domain, f"no modules under {DOMAIN}: is PACKAGE_DIR right? ({PACKAGE_DIR})"
    offences = _offences(graph, domain, DOMAIN_FORBIDDEN)
    offences += [f"{_where(graph, module, imported)}: {module} imports {imported.target}"
                 for module in sorted(domain) for imported in sorted(graph.edges[module])
                 if not _in(imported.target, [DOMAIN])]
    _fail_if(offences, f"{DOMAIN} imports only the standard library (not "
                       f"{', '.join(sorted(DOMAIN_FORBIDDEN))}) and other {DOMAIN} modules "
                       "(design.md §3):")


def test_features_plug_in_only_at_the_composition_root() -> None:
    # The core knows no feature (a feature disabled in app.py leaves nothing dangling), and
    # only app.py lists them; a feature may use another (faq answers with replies' book).
    graph = package_graph()
    offences = [f"{_where(graph, module, imported)}: {module} imports {imported.target}"
                for module in sorted(graph.files) if not _in(module, [FEATURES, *COMPOSERS])
                for imported in sorted(graph.edges[module]) if _in(imported.target, [FEATURES])]
    assert any(_in(m, [FEATURES]) for m in graph.files), f"no modules under {FEATURES}"
    _fail_if(offences, f"only {', '.join(COMPOSERS)} and {FEATURES} itself import {FEATURES} "
                       "(README, Features):")


def test_the_graph_sees_the_whole_package() -> None:
    # Guards the tests above against passing on an empty or misread tree.
    graph = package_graph()
    assert f"{PACKAGE}.telegram.client" in graph.files
    assert any(i.target == "pyrogram" for i in graph.external[f"{PACKAGE}.telegram.client"])
    assert all(i.target in graph.files for imports in graph.edges.values() for i in imports)


# --- the checks themselves can fail -----------------------------------------------------------


def test_the_cycle_finder_finds_cycles_and_only_cycles() -> None:
    graph = {
        "a": ["b"], "b": ["c"], "c": ["a", "d"],  # a -> b -> c -> a
        "d": ["e"], "e": [],  # a chain hanging off the cycle
        "f": ["f"],  # a module that imports itself
        "g": ["h"], "h": ["g", "e"],  # a second, separate cycle
        "i": ["a"],  # leads into a cycle without being part of it
    }
    assert import_cycles(graph) == [["a", "b", "c"], ["f"], ["g", "h"]]
    assert import_cycles({"a": ["b"], "b": ["c"], "c": []}) == []


def test_the_cycle_finder_needs_no_recursion() -> None:
    size = sys.getrecursionlimit() * 2
    ring = {f"m{n}": [f"m{(n + 1) % size}"] for n in range(size)}
    assert [len(c) for c in import_cycles(ring)] == [size]


def test_the_resolver_reads_every_kind_of_import() -> None:
    modules = ["atendimento", "atendimento.a", "atendimento.a.b", "atendimento.a.c",
               "atendimento.a.sub", "atendimento.a.sub.deep", "atendimento.z"]
    source = "\n".join([
        "from __future__ import annotations",  # line 1
        "import os.path",  # 2: the top-level name only
        "from typing import TYPE_CHECKING",  # 3
        "from pyrogram import raw",  # 4
        "from . import c",  # 5: a sibling submodule
        "from .sub import deep",  # 6: a submodule of a subpackage
        "from .. import z",  # 7: up one package
        "from atendimento.a import helper",  # 8: a name in the package __init__
        "if TYPE_CHECKING:",  # 9
        "    from .sub.deep import Thing",  # 10: type-only imports count
        "def later():",  # 11
        "    import atendimento.a.c as cc",  # 12: so do imports inside functions
        "    from atendimento.a.missing import x",  # 13: a module not in the tree
    ])
    inside, outside = resolve_imports(source, "atendimento.a.b", False, modules)
    assert inside == {
        Import("atendimento.a.c", 5), Import("atendimento.a.sub.deep", 6),
        Import("atendimento.z", 7), Import("atendimento.a", 8),
        Import("atendimento.a.sub.deep", 10), Import("atendimento.a.c", 12),
        Import("atendimento.a", 13),
    }
    assert {i.target for i in outside} == {"__future__", "os", "typing", "pyrogram"}


def test_the_resolver_anchors_relative_imports_in_a_package_init() -> None:
    modules = ["atendimento", "atendimento.a", "atendimento.a.b"]
    inside, _ = resolve_imports("from .b import thing\nfrom . import b\n", "atendimento.a",
                                True, modules)
    assert inside == {Import("atendimento.a.b", 1), Import("atendimento.a.b", 2)}
    inside, _ = resolve_imports("from .a import b\n", "atendimento", True, modules)
    assert inside == {Import("atendimento.a.b", 1)}


def test_the_module_names_follow_the_files(tmp_path: Path) -> None:
    root = tmp_path / "atendimento"
    assert module_name(root / "__init__.py", root) == "atendimento"
    assert module_name(root / "a" / "__init__.py", root) == "atendimento.a"
    assert module_name(root / "a" / "b.py", root) == "atendimento.a.b"


def test_a_cycle_on_disk_is_reported_and_a_package_init_is_not_one(tmp_path: Path) -> None:
    root = tmp_path / "atendimento"
    sources = {
        "__init__.py": "",
        "x/__init__.py": "from .one import One\n",  # a real edge: the package on its module
        "x/one.py": ("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n"
                     "    from atendimento.x.two import Two\n"),
        "x/two.py": "def later():\n    from . import one\n",  # closes one <-> two
        "x/three.py": "from atendimento.x import One\n",  # three -> x -> one: no cycle
    }
    for name, text in sources.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")
    assert cycle_report(read_graph(root)) == [
        "cycle: atendimento.x.one <-> atendimento.x.two",
        "    atendimento/x/one.py:3: atendimento.x.one imports atendimento.x.two",
        "    atendimento/x/two.py:2: atendimento.x.two imports atendimento.x.one",
    ]
