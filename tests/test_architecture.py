"""The packages depend on each other in one direction: each imports only from itself and the
layers below it (`docs/architecture.md`, "Dependency direction")."""

import ast
from collections.abc import Iterable, Mapping
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent / "onboarding"

# Bottom first. Packages in one layer do not import each other.
LAYERS: tuple[tuple[str, ...], ...] = (
    # Shared pieces, and the project modules that import no package of the app.
    ("core", "env", "celery", "formats"),
    ("outbox",),
    ("accounts", "altafid", "web"),
    ("audit", "lookups", "screening"),
    ("cases",),
    ("documents",),
    ("submissions", "notices", "staff"),
    ("kyc", "health"),
    ("operations",),
    # Pages that gather several packages, and the project's wiring.
    ("home", "__init__", "settings", "urls", "wsgi"),
)

# (module, package it imports against the direction): why.
EXCEPTIONS: Mapping[tuple[str, str], str] = {
    ("onboarding.health.views", "kyc"): (
        "the health page shows how far screening every client again after a list change has "
        "come; the clients' screening lives with the KYC review"
    ),
    ("onboarding.cases.views", "submissions"): (
        "the RM's case pages show and drive the submission: progress in the list, Altafid's "
        "refusals on a section, the plan, duplicates and Submit on review"
    ),
    ("onboarding.cases.views", "kyc"): (
        "the list and section pages show what compliance returned, and why, where the RM fixes it"
    ),
}


def _module_name(path: str) -> str:
    parts = path.removesuffix(".py").split("/")
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(["onboarding", *parts])


def _package_of(path: str) -> str:
    return path.split("/")[0].removesuffix(".py")


def _imported(path: str, tree: ast.Module, known: set[str]) -> set[str]:
    """The top-level names under `onboarding` that the module at `path` imports."""
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = ["onboarding", *path.split("/")[:-1]]
                base = base[: len(base) - node.level + 1]
                module = ".".join([*base, node.module] if node.module else base)
            else:
                module = node.module or ""
            if module == "onboarding":
                names = [f"onboarding.{alias.name}" for alias in node.names]
            else:
                names = [module]
        else:
            continue
        for name in names:
            parts = name.split(".")
            if parts[0] != "onboarding":
                continue
            target = parts[1] if len(parts) > 1 else "__init__"
            found.add(target if target in known else "__init__")
    return found


def dependency_violations(
    sources: Mapping[str, str],
    *,
    layers: Iterable[Iterable[str]],
    exceptions: Mapping[tuple[str, str], str],
) -> list[str]:
    """Every import against the direction, as `module -> package`, in `sources` (a path under
    `onboarding/` and its text); also names missing from `layers` and exceptions not needed."""
    layer_of = {name: level for level, names in enumerate(layers) for name in names}
    problems = [
        f"onboarding/{path}: package {_package_of(path)!r} has no layer"
        for path in sorted(sources)
        if _package_of(path) not in layer_of
    ]
    used: set[tuple[str, str]] = set()
    for path in sorted(sources):
        package, module = _package_of(path), _module_name(path)
        if package not in layer_of:
            continue
        tree = ast.parse(sources[path], filename=path)
        for target in sorted(_imported(path, tree, set(layer_of))):
            if target == package or layer_of[target] < layer_of[package]:
                continue
            if (module, target) in exceptions:
                used.add((module, target))
                continue
            problems.append(
                f"{module} -> {target} (layer {layer_of[package]} imports layer {layer_of[target]})"
            )
    problems += [
        f"exception {module} -> {target} is no longer needed"
        for module, target in exceptions
        if (module, target) not in used
    ]
    return problems


def _sources() -> dict[str, str]:
    return {
        path.relative_to(ROOT).as_posix(): path.read_text(encoding="utf-8")
        for path in sorted(ROOT.rglob("*.py"))
    }


def test_it_keeps_the_dependency_direction():
    problems = dependency_violations(_sources(), layers=LAYERS, exceptions=EXCEPTIONS)

    assert not problems, "Against the dependency direction:\n" + "\n".join(problems)


def test_it_fails_on_an_import_planted_against_the_direction():
    sources = _sources()
    sources["cases/planted.py"] = "from onboarding.operations.services import failures_of_tenant\n"
    sources["core/planted.py"] = "def f():\n    from onboarding.accounts.models import User\n"

    level = {name: number for number, names in enumerate(LAYERS) for name in names}
    assert dependency_violations(sources, layers=LAYERS, exceptions=EXCEPTIONS) == [
        f"onboarding.cases.planted -> operations "
        f"(layer {level['cases']} imports layer {level['operations']})",
        f"onboarding.core.planted -> accounts (layer 0 imports layer {level['accounts']})",
    ]


LOW, MIDDLE, HIGH = ("low",), ("middle", "beside"), ("high",)


def test_it_reads_every_form_of_import():
    sources = {
        "low/__init__.py": "",
        "low/a.py": "import onboarding.high.views\n",
        "low/b.py": "from onboarding import middle\n",
        "low/c.py": "from ..beside import x\n",
        "low/d.py": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n"
        "    from onboarding.high.models import Thing\n",
        "low/e.py": "from . import a\nfrom .a import f\nimport os\nfrom django import forms\n",
        "middle/a.py": "from onboarding.low.a import f\nfrom onboarding.middle.b import g\n",
        "middle/b.py": "from onboarding.beside.x import y\n",
        "high/a.py": "from onboarding.low import a\nfrom onboarding.middle.a import f\n",
    }

    assert dependency_violations(sources, layers=(LOW, MIDDLE, HIGH), exceptions={}) == [
        "onboarding.low.a -> high (layer 0 imports layer 2)",
        "onboarding.low.b -> middle (layer 0 imports layer 1)",
        "onboarding.low.c -> beside (layer 0 imports layer 1)",
        "onboarding.low.d -> high (layer 0 imports layer 2)",
        "onboarding.middle.b -> beside (layer 1 imports layer 1)",
    ]


def test_it_excuses_only_the_module_an_exception_names():
    sources = {
        "low/views.py": "from onboarding.high.services import f\n",
        "low/forms.py": "from onboarding.high.services import f\n",
        "high/services.py": "",
    }
    exceptions = {("onboarding.low.views", "high"): "the page shows it"}

    assert dependency_violations(sources, layers=(LOW, MIDDLE, HIGH), exceptions=exceptions) == [
        "onboarding.low.forms -> high (layer 0 imports layer 2)"
    ]


def test_it_names_a_package_without_a_layer_and_an_exception_no_longer_needed():
    sources = {"new/views.py": "from onboarding.low import a\n", "low/views.py": ""}
    exceptions = {("onboarding.low.views", "high"): "the page shows it"}

    assert dependency_violations(sources, layers=(LOW, MIDDLE, HIGH), exceptions=exceptions) == [
        "onboarding/new/views.py: package 'new' has no layer",
        "exception onboarding.low.views -> high is no longer needed",
    ]
