"""The checks that keep the shipped catalogs (``locales/``, installed as ``atendimento.locales``)
complete and in step with the code.

``check_catalogs`` (every catalog translates every template entry, not fuzzy, same placeholders)
and ``check_sources`` (the template matches what the code asks for) run in ``tests/i18n`` and in
``scripts/catalogs.py check``; see ``atendimento.i18n`` for how to update the catalogs.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path

from babel.messages.catalog import Catalog, Message
from babel.messages.pofile import read_po

from atendimento.i18n import DOMAIN, EXTRACTION_KEYWORDS, locales_root, placeholders


@dataclass(frozen=True, slots=True)
class CatalogProblem:
    """One thing wrong with a catalog, located like a compiler error."""

    path: str
    lineno: int | None
    message: str

    def __str__(self) -> str:
        where = f"{self.path}:{self.lineno}" if self.lineno else self.path
        return f"{where}: {self.message}"


def read_catalog(path: Traversable | Path, locale: str | None = None) -> Catalog:
    with path.open("rb") as fp:
        return read_po(fp, locale=locale, domain=DOMAIN)


def extract_messages(source_dir: Path) -> Catalog:
    """What ``pybabel extract`` with ``EXTRACTION_KEYWORDS`` finds under ``source_dir``."""
    from babel.messages.extract import extract_from_dir
    from babel.messages.frontend import parse_keywords

    catalog = Catalog(project=DOMAIN, domain=DOMAIN)
    found = extract_from_dir(
        str(source_dir),
        [("**.py", "python")],
        keywords=parse_keywords(list(EXTRACTION_KEYWORDS)),
        comment_tags=("TRANSLATORS:",),
        strip_comment_tags=True,
    )
    for filename, lineno, msgid, comments, context in found:
        location = (f"{source_dir.name}/{filename}", lineno)
        catalog.add(msgid, None, [location], auto_comments=comments, context=context)
    return catalog


def check_sources(
    source_dir: Path | None = None, template_path: Traversable | Path | None = None
) -> list[CatalogProblem]:
    """Compare the template with what the source code asks for, both ways."""
    source_dir = source_dir or Path(str(resources.files("atendimento")))
    template_path = template_path or locales_root() / f"{DOMAIN}.pot"
    template = read_catalog(template_path)
    extracted = extract_messages(source_dir)
    fix = "run `python scripts/catalogs.py update`"
    problems = []
    for message in _entries(extracted):
        known = template.get(message.id, message.context)
        file, line = message.locations[0]
        if known is None:
            problems.append(
                CatalogProblem(
                    str(template_path),
                    None,
                    f"{_label(message)} ({file}:{line}) is missing; {fix}",
                )
            )
        elif known.id != message.id:
            problems.append(
                CatalogProblem(
                    str(template_path), known.lineno, f"{_label(message)} changed plural; {fix}"
                )
            )
    for message in _entries(template):
        if extracted.get(message.id, message.context) is None:
            problems.append(
                CatalogProblem(
                    str(template_path),
                    message.lineno,
                    f"{_label(message)} is no longer in the source code; {fix}",
                )
            )
    return problems


def check_catalogs(
    root: Traversable | Path | None = None, locales: Iterable[str] | None = None
) -> list[CatalogProblem]:
    """Every catalog under ``root`` translates every template entry, completely and safely."""
    root = root if root is not None else locales_root()
    template_path = root / f"{DOMAIN}.pot"
    if not template_path.is_file():
        return [CatalogProblem(str(template_path), None, "the template is missing")]
    template = read_catalog(template_path)
    if locales is None:
        locales = sorted(
            entry.name
            for entry in root.iterdir()
            if entry.is_dir() and not entry.name.startswith(("_", "."))  # __pycache__
        )
    problems = []
    for locale in locales:
        path = root / locale / "LC_MESSAGES" / f"{DOMAIN}.po"
        if not path.is_file():
            problems.append(CatalogProblem(str(path), None, "the catalog is missing"))
            continue
        problems += check_catalog(template, read_catalog(path, locale), str(path))
    return problems


def check_catalog(template: Catalog, catalog: Catalog, path: str) -> list[CatalogProblem]:
    """Problems of one catalog against the template (see ``check_catalogs``)."""
    problems = []

    def report(lineno: int | None, text: str) -> None:
        problems.append(CatalogProblem(path, lineno, text))

    for source in _entries(template):
        message = catalog.get(source.id, source.context)
        label = _label(source)
        if message is None:
            report(None, f"{label} is not translated")
            continue
        if message.fuzzy:
            report(message.lineno, f"{label} is fuzzy: review it and remove the fuzzy flag")
        try:
            ids = [source.id] if isinstance(source.id, str) else list(source.id)
            expected = frozenset().union(*(placeholders(i) for i in ids))
        except ValueError as error:
            report(source.lineno, f"{label} has a malformed placeholder in the source: {error}")
            continue
        if isinstance(source.id, str):
            forms = [message.string] if isinstance(message.string, str) else None
        else:
            expected -= {"n"}
            forms = list(message.string) if isinstance(message.string, tuple) else None
            if forms is not None and len(forms) != catalog.num_plurals:
                report(
                    message.lineno,
                    f"{label} has {len(forms)} plural forms, not {catalog.num_plurals}",
                )
        if forms is None:
            report(message.lineno, f"{label}: singular and plural differ from the template")
            continue
        for index, form in enumerate(forms):
            which = f" (form {index})" if len(forms) > 1 or not isinstance(source.id, str) else ""
            if not form or not form.strip():
                report(message.lineno, f"{label}{which} has an empty translation")
                continue
            try:
                found = placeholders(form)
            except ValueError as error:
                report(message.lineno, f"{label}{which} has a malformed placeholder: {error}")
                continue
            if not isinstance(source.id, str):
                found -= {"n"}
            if found != expected:
                report(
                    message.lineno,
                    f"{label}{which} uses placeholders {_names(found)}, "
                    f"the source {_names(expected)}",
                )
    for message in _entries(catalog):
        if template.get(message.id, message.context) is None:
            report(message.lineno, f"{_label(message)} is not in the template (stale entry)")
    return problems


def _entries(catalog: Catalog) -> list[Message]:
    return [m for m in catalog if m.id]


def _label(message: Message) -> str:
    msgid = message.id if isinstance(message.id, str) else message.id[0]
    context = message.context
    return f"{msgid!r}" + (f" [{context}]" if context else "")


def _names(names: Iterable[str]) -> str:
    return "{" + ", ".join(sorted(names)) + "}" if names else "none"
