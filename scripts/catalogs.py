"""Extract, update and check atendimento's translation catalogs (a developer tool, not shipped).

python scripts/catalogs.py extract   # source → locales/atendimento.pot
python scripts/catalogs.py update    # extract, then merge the template into every .po
python scripts/catalogs.py check     # what tests/i18n checks; exit status 1 on problems
python scripts/catalogs.py init fr   # start a catalog for a new language
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from babel.messages.frontend import CommandLineInterface

from atendimento import __version__
from atendimento.catalogs import check_catalogs, check_sources
from atendimento.i18n import DOMAIN, EXTRACTION_KEYWORDS

ROOT = Path(__file__).resolve().parent.parent
LOCALES = Path("locales")  # installed as the package atendimento.locales (pyproject.toml)
TEMPLATE = LOCALES / f"{DOMAIN}.pot"


def pybabel(*args: str) -> None:
    CommandLineInterface().run(["pybabel", "--quiet", *args])


def extract() -> None:
    pybabel(
        "extract",
        "--no-default-keywords",
        f"--keywords={' '.join(EXTRACTION_KEYWORDS)}",
        "--add-comments=TRANSLATORS:",
        "--strip-comments",
        "--add-location=file",  # line numbers would churn the diff on every edit
        "--sort-output",
        f"--project={DOMAIN}",
        f"--version={__version__}",
        "--copyright-holder=atendimento contributors",
        f"--output-file={TEMPLATE}",
        "atendimento",
    )


def update() -> None:
    extract()
    pybabel(
        "update",
        f"--domain={DOMAIN}",
        f"--input-file={TEMPLATE}",
        f"--output-dir={LOCALES}",
        "--ignore-obsolete",
    )


def check() -> int:
    problems = check_sources(ROOT / "atendimento", TEMPLATE) + check_catalogs(LOCALES)
    for problem in problems:
        print(problem)
    print(f"{len(problems)} problem(s)" if problems else "catalogs complete")
    return 1 if problems else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=["extract", "update", "check", "init"])
    parser.add_argument("language", nargs="?", help="for init: a locale such as fr or pt_PT")
    args = parser.parse_args()
    os.chdir(ROOT)  # the template records paths relative to the repository
    if args.command == "extract":
        extract()
    elif args.command == "update":
        update()
    elif args.command == "init":
        if not args.language:
            parser.error("init needs a language")
        pybabel(
            "init",
            f"--domain={DOMAIN}",
            f"--input-file={TEMPLATE}",
            f"--output-dir={LOCALES}",
            f"--locale={args.language}",
        )
    return check()


if __name__ == "__main__":
    sys.exit(main())
