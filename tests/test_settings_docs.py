"""Every setting is documented in README.md, with its environment variable and default."""

from __future__ import annotations

from pathlib import Path

import pytest

from web.settings import SETTINGS, load_settings

README = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("setting", SETTINGS, ids=lambda s: s.name)
def test_setting_is_documented(setting) -> None:
    # the settings table's row (the name may also appear in prose elsewhere)
    row = next((line for line in README.splitlines() if line.startswith(f"| `{setting.name.lower()}` |")), None)
    assert row is not None, f"README.md has no row for {setting.name}"
    assert f"`{setting.env}`" in row


def test_precedence_file_then_environment(tmp_path: Path) -> None:
    (tmp_path / "hub.toml").write_text('sparql_timeout = 3\nbase_iri = "https://hub.example.org"\n')
    settings = load_settings(tmp_path, environ={"SROM_SPARQL_TIMEOUT": "7.5"})
    assert settings["SPARQL_TIMEOUT"] == 7.5
    assert settings["BASE_IRI"] == "https://hub.example.org"


def test_unknown_setting_in_hub_toml_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "hub.toml").write_text("sparql_timeot = 3\n")
    with pytest.raises(ValueError, match="sparql_timeot|SPARQL_TIMEOT"):
        load_settings(tmp_path, environ={})
