"""Dutch by default, whatever the browser says; English when the user chooses it."""

from django.conf import settings


def test_dutch_is_the_default_even_for_an_english_browser(manager_client, org):
    response = manager_client.get(f"/o/{org.slug}/partners/", headers={"Accept-Language": "en-GB,en"})
    assert response["Content-Language"] == "nl"
    assert "Partner toevoegen" in response.content.decode()


def test_switching_to_english_sticks(manager_client, org):
    response = manager_client.post("/i18n/setlang/", {"language": "en", "next": f"/o/{org.slug}/partners/"})
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    html = manager_client.get(f"/o/{org.slug}/partners/").content.decode()
    assert "Add partner" in html and "Partner toevoegen" not in html


def test_an_unknown_language_cookie_falls_back_to_dutch(manager_client, org):
    manager_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "xx"
    response = manager_client.get(f"/o/{org.slug}/partners/")
    assert response["Content-Language"] == "nl"


def test_money_is_formatted_for_the_language():
    from decimal import Decimal

    from django.utils import translation

    from partnerhub.templatetags.money import euro

    with translation.override("nl"):
        assert euro(Decimal("1234.5")) == "€\u00a01.234,50"
        assert euro(Decimal("3560000"), 0) == "€\u00a03.560.000"
    with translation.override("en"):
        assert euro(Decimal("1234.5")) == "€1,234.50"
    assert euro(None) == ""


def test_every_string_in_the_code_has_a_dutch_translation(tmp_path, monkeypatch):
    """Extract the strings afresh into a copy of the catalogue: none may be new, untranslated or fuzzy."""
    import shutil
    import subprocess

    from django.core.management import call_command
    from django.test import override_settings

    # makemessages writes into the `locale` folder beside the sources it reads: read them through links from a
    # folder of our own, so that the project's catalogue is never touched (other runs may read it meanwhile).
    ignore = [".venv", ".tools", "tests", "staticfiles", "node_modules", "docs", ".git", ".cache", "media"]
    shutil.copytree(settings.BASE_DIR / "locale", tmp_path / "locale")
    for source in settings.BASE_DIR.iterdir():
        if source.name not in ignore and source.name != "locale":
            (tmp_path / source.name).symlink_to(source)
    monkeypatch.chdir(tmp_path)
    with override_settings(LOCALE_PATHS=[tmp_path / "locale"]):
        call_command("makemessages", locale=["nl"], ignore_patterns=ignore, symlinks=True, verbosity=0)
    catalogue = str(tmp_path / "locale" / "nl" / "LC_MESSAGES" / "django.po")

    def entries(*flags):
        command = ["msgattrib", *flags, catalogue]
        out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
        return [line for line in out.splitlines() if line.startswith("msgid ") and line != 'msgid ""']

    assert entries("--untranslated", "--no-obsolete") == []
    assert entries("--only-fuzzy", "--no-obsolete") == []
