"""The shipped catalogs are complete and in step with the code; the checker catches breakage."""

from __future__ import annotations

import re
from pathlib import Path

from babel.messages.frontend import CommandLineInterface

import atendimento.i18n as i18n
from atendimento.catalogs import (
    check_catalog,
    check_catalogs,
    check_sources,
    extract_messages,
    read_catalog,
)
from atendimento.i18n import EXTRACTION_KEYWORDS, SEEDED_MESSAGES, locales_root

FIXTURES = Path(__file__).parent / "fixtures"
PACKAGE = Path(i18n.__file__).parent


def test_every_catalog_translates_every_template_entry() -> None:
    assert check_catalogs() == []
    assert [p.path.split("/")[-3] for p in check_catalogs(locales=["fr"])] == ["fr"]


def test_template_is_in_step_with_the_source_code() -> None:
    assert check_sources() == []


def test_template_holds_the_seeded_desk_words() -> None:
    template = read_catalog(locales_root() / "atendimento.pot")
    ids = {m.id for m in template if m.id}
    assert set(SEEDED_MESSAGES) <= ids
    assert template.get("urgent", "priority") is not None
    assert template.get("banned", "state") is not None
    assert any(isinstance(i, tuple) for i in ids), "a plural entry keeps ngettext honest"


def test_checker_reports_each_broken_entry() -> None:
    problems = [str(p) for p in check_catalogs(FIXTURES / "broken")]
    po = str(FIXTURES / "broken" / "de" / "LC_MESSAGES" / "atendimento.po")
    assert problems == [
        f"{po}:8: 'Hello {{name}}' uses placeholders {{nome}}, the source {{name}}",
        f"{po}: 'Only in the template' is not translated",
        f"{po}:12: 'Still fuzzy' is fuzzy: review it and remove the fuzzy flag",
        f"{po}:15: '{{n}} file' (form 1) has an empty translation",
        f"{po}:24: 'Broken {{brace}}' has a malformed placeholder: "
        "expected '}' before end of string",
        f"{po}:30: 'Removed from the source' is not in the template (stale entry)",
    ]


def test_checker_reports_a_missing_template_and_catalog(tmp_path: Path) -> None:
    assert [str(p) for p in check_catalogs(tmp_path)] == [
        f"{tmp_path / 'atendimento.pot'}: the template is missing"
    ]
    (tmp_path / "atendimento.pot").write_text('msgid "Hi"\nmsgstr ""\n', encoding="utf-8")
    (tmp_path / "fr").mkdir()
    assert [str(p) for p in check_catalogs(tmp_path)] == [
        f"{tmp_path / 'fr' / 'LC_MESSAGES' / 'atendimento.po'}: the catalog is missing"
    ]


def test_checker_reports_a_missing_plural_form(tmp_path: Path) -> None:
    (tmp_path / "atendimento.pot").write_text(
        'msgid "{n} day"\nmsgid_plural "{n} days"\nmsgstr[0] ""\nmsgstr[1] ""\n', encoding="utf-8"
    )
    (tmp_path / "pl" / "LC_MESSAGES").mkdir(parents=True)
    (tmp_path / "pl" / "LC_MESSAGES" / "atendimento.po").write_text(
        'msgid ""\nmsgstr ""\n"Plural-Forms: nplurals=3; plural=(n==1 ? 0 : n%10>=2 && '
        'n%10<=4 && (n%100<10 || n%100>=20) ? 1 : 2);\\n"\n\n'
        'msgid "{n} day"\nmsgid_plural "{n} days"\nmsgstr[0] "{n} dzień"\nmsgstr[1] "{n} dni"\n',
        encoding="utf-8",
    )
    # Polish needs three forms; Babel pads the missing one, which the checker finds empty.
    messages = [p.message for p in check_catalogs(tmp_path)]
    assert messages == ["'{n} day' (form 2) has an empty translation"]


def test_plural_forms_may_leave_out_n() -> None:
    # "one message" in English, "uma mensagem" in Portuguese: {n} is optional in any form.
    template = read_catalog(FIXTURES / "broken" / "atendimento.pot")
    catalog = read_catalog(FIXTURES / "broken" / "de" / "LC_MESSAGES" / "atendimento.po", "de")
    catalog.get(("{n} file", "{n} files")).string = ("eine Datei", "{n} Dateien")
    assert not [p for p in check_catalog(template, catalog, "x") if "file" in p.message]


def test_template_drift_is_reported_both_ways() -> None:
    drift = FIXTURES / "drift"
    problems = [str(p) for p in check_sources(drift / "src", drift / "atendimento.pot")]
    pot = drift / "atendimento.pot"
    assert problems == [
        f"{pot}: 'A new string' (src/module.py:5) is missing; "
        "run `python scripts/catalogs.py update`",
        f"{pot}:9: 'An old string' is no longer in the source code; "
        "run `python scripts/catalogs.py update`",
    ]


def test_keyword_specs_take_the_msgid_after_the_locale(tmp_path: Path) -> None:
    (tmp_path / "calls.py").write_text(
        "\n".join(
            [
                'a = tr._(locale, "Hello {name}", name=client.first_name)',
                'b = self.tr.gettext(team_locale(), "Team")',
                'c = tr.ngettext(loc, "{n} message", "{n} messages", len(items), who=x)',
                'd = tr.pgettext(loc, "priority", "high")',
                'e = tr.npgettext(loc, "card", "{n} card", "{n} cards", n)',
                'f = N_("Marked")',
                'g = NP_("state", "ended")',
                "h = tr._(locale, variable)  # dynamic: marked elsewhere, not extracted",
            ]
        ),
        encoding="utf-8",
    )
    found = {(m.id, m.context) for m in extract_messages(tmp_path) if m.id}
    assert found == {
        ("Hello {name}", None),
        ("Team", None),
        (("{n} message", "{n} messages"), None),
        ("high", "priority"),
        (("{n} card", "{n} cards"), "card"),
        ("Marked", None),
        ("ended", "state"),
    }


def test_pybabel_command_in_the_dev_note_matches_the_keywords(tmp_path: Path) -> None:
    documented = re.search(r'-k "([^"]+)"', i18n.__doc__ or "")
    assert documented is not None and documented.group(1) == " ".join(EXTRACTION_KEYWORDS)
    output = tmp_path / "out.pot"
    CommandLineInterface().run(
        [
            "pybabel",
            "--quiet",
            "extract",
            "--no-default-keywords",
            f"--keywords={documented.group(1)}",
            f"--output-file={output}",
            str(PACKAGE),
        ]
    )
    by_cli = {(m.id, m.context) for m in read_catalog(output) if m.id}
    by_checker = {(m.id, m.context) for m in extract_messages(PACKAGE) if m.id}
    assert by_cli == by_checker
    assert len(by_cli) >= 30
