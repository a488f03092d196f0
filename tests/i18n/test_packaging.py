"""The catalogs live in the top-level locales/ and ship inside the package as atendimento.locales.

pyproject.toml maps the folder into the package (`[tool.setuptools.package-dir]`) and names its
files (`package-data`): a wheel carries them, and the editable install ./manage makes reads the
repository's own files. The wheel test builds one in a temporary directory (no build isolation,
no index: nothing is downloaded), installs it in a fresh virtual environment and translates.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tomllib
import venv
import zipfile
from importlib import resources
from pathlib import Path
from shutil import copytree, ignore_patterns

import atendimento
from atendimento.i18n import Translator

ROOT = Path(__file__).parents[2]
LOCALES = ROOT / "locales"


def setuptools_config() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["tool"]["setuptools"]


def catalog_files() -> set[Path]:
    return {*LOCALES.glob("*/LC_MESSAGES/atendimento.po"), LOCALES / "atendimento.pot"}


def test_the_package_list_names_every_package() -> None:
    # Listed by hand (discovery cannot map locales/): a new package must be added there.
    found = {".".join(init.parent.relative_to(ROOT).parts)
             for init in (ROOT / "atendimento").rglob("__init__.py")}
    config = setuptools_config()
    assert set(config["packages"]) == found | {"atendimento.locales"}
    assert config["package-dir"] == {"atendimento.locales": "locales"}


def test_package_data_covers_every_catalog() -> None:
    patterns = setuptools_config()["package-data"]["atendimento.locales"]
    shipped = {path for pattern in patterns for path in LOCALES.glob(pattern)}
    assert catalog_files() <= shipped
    assert {p.parent.parent.name for p in catalog_files() if p.suffix == ".po"} == {
        "en", "es", "it", "pt_BR", "ru"}


def test_the_installed_package_reads_the_repository_catalogs() -> None:
    # ./manage installs the repository in editable mode: the tests run on these very files.
    assert Path(atendimento.__file__).parent == ROOT / "atendimento"
    assert Path(str(resources.files("atendimento.locales"))) == LOCALES
    assert Path(str(Translator().locales_dir)) == LOCALES


def test_the_dockerfile_copies_the_catalogs_before_installing() -> None:
    text = (ROOT / "Dockerfile").read_text("utf-8")
    assert text.index("COPY locales ./locales") < text.index('RUN pip install ".[postgres]"')


PROBE = """
import json, atendimento
from atendimento.i18n import Translator
tr = Translator("pt_BR")
print(json.dumps({
    "package": atendimento.__file__,
    "catalogs": str(tr.locales_dir),
    "locales": tr.locales,
    "ru": tr.ngettext("ru", "{n} problem in the texts:", "{n} problems in the texts:", 22),
    "it": tr._("it", "the file is empty"),
}))
"""


def test_a_wheel_built_from_the_repository_carries_and_reads_the_catalogs(
    tmp_path: Path,
) -> None:
    import setuptools  # the build backend pyproject names; the test extras install it

    assert int(setuptools.__version__.split(".")[0]) >= 77, setuptools.__version__
    source = tmp_path / "source"
    # What the Dockerfile copies before `pip install .`: the wheel is built from these only.
    source.mkdir()
    for name in ("pyproject.toml", "README.md"):
        (source / name).write_bytes((ROOT / name).read_bytes())
    for folder in ("atendimento", "locales"):
        copytree(ROOT / folder, source / folder, ignore=ignore_patterns("__pycache__", "*.pyc"))
    dist = tmp_path / "dist"
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check", "--no-input"]
    subprocess.run([*pip, "wheel", "--no-deps", "--no-build-isolation", "--no-index",
                    "--wheel-dir", str(dist), str(source)],
                   check=True, capture_output=True, text=True, cwd=tmp_path)
    (wheel,) = dist.glob("atendimento-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for path in catalog_files():
        assert "atendimento/locales/" + path.relative_to(LOCALES).as_posix() in names
    assert not any(name.startswith("locales/") for name in names)

    # A fresh environment with the wheel and, of the dependencies, only Babel (linked from
    # this environment: no index is needed, and nothing else of this one is visible there).
    env = tmp_path / "env"
    venv.create(env, with_pip=False)
    python = env / "bin" / "python"
    subprocess.run([*pip, "--python", str(python), "install", "--no-deps", "--no-index",
                    str(wheel)], check=True, capture_output=True, text=True, cwd=tmp_path)
    babel_dir = tmp_path / "babel-only"
    babel_dir.mkdir()
    import babel

    (babel_dir / "babel").symlink_to(Path(babel.__file__).parent, target_is_directory=True)
    site = Path(subprocess.run([str(python), "-c", "import sysconfig; "
                                "print(sysconfig.get_paths()['purelib'])"],
                               check=True, capture_output=True, text=True).stdout.strip())
    (site / "babel-only.pth").write_text(f"{babel_dir}\n", encoding="utf-8")
    probe = subprocess.run([str(python), "-I", "-c", PROBE], check=True, capture_output=True,
                           text=True, cwd=tmp_path)
    found = json.loads(probe.stdout)
    assert Path(found["package"]).is_relative_to(env)
    assert Path(found["catalogs"]) == Path(found["package"]).parent / "locales"
    assert found["locales"] == ["en", "es", "it", "pt_BR", "ru"]
    here = Translator("pt_BR")
    assert found["ru"] == here.ngettext("ru", "{n} problem in the texts:",
                                        "{n} problems in the texts:", 22)
    assert found["ru"] == "22 проблемы в текстах:"
    assert found["it"] == here._("it", "the file is empty") == "il file è vuoto"
