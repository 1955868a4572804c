"""The MkDocs adapter: the settings declared once as a MkDocs Config, the build's state on a
plugin instance, and hooks/bulletins.py a few lines handing MkDocs' events to it."""

import ast
import dataclasses
import importlib.util

import pytest
from helpers import REPO, example_project

from safety_bulletins.mkdocs_adapter import BulletinsConfig, bulletin_settings
from safety_bulletins.mkdocs_adapter.plugin import BulletinsPlugin
from safety_bulletins.outputs import site
from safety_bulletins.site_build.settings import Settings, SettingsError

HOOK = REPO / "hooks" / "bulletins.py"


def test_each_setting_of_the_schema_is_a_field_of_the_settings():
    names = list(BulletinsConfig())
    assert names == ["audience", "time_zone", "search", "due_soon_days", "upcoming_days", "immediately_days",
                     "workers"]
    assert set(names) <= {f.name for f in dataclasses.fields(Settings)}
    assert bulletin_settings({"bulletins": {}}) == Settings()


def test_an_unknown_setting_is_refused_by_the_schema_not_by_its_private_parts():
    with pytest.raises(SettingsError, match=r"unknown setting 'serach'; the settings are: audience, time_zone, search"):
        bulletin_settings({"bulletins": {"serach": "material"}})
    with pytest.raises(SettingsError, match=r"search: .* but received: 'lunr'; write e.g. 'search: pagefind'"):
        bulletin_settings({"bulletins": {"search": "lunr"}})


@pytest.mark.parametrize("value", [-1, "many", True, 1.5, 10_000])
def test_workers_is_auto_or_a_number(value):
    with pytest.raises(SettingsError, match=r"workers: .* is not a number of worker processes: write 'auto'"):
        bulletin_settings({"bulletins": {"workers": value}})


def test_workers_zero_is_the_one_process_build_and_auto_one_a_core():
    assert bulletin_settings({"bulletins": {}}).worker_count is None
    assert bulletin_settings({"bulletins": {"workers": 0}}).worker_count == 0
    assert bulletin_settings({"bulletins": {"workers": 3}}).worker_count == 3


def load_hook():
    spec = importlib.util.spec_from_file_location("bulletins_hook_under_test", HOOK)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_hook_is_thin_and_holds_no_state():
    tree = ast.parse(HOOK.read_text(encoding="utf-8"))
    assert len(HOOK.read_text(encoding="utf-8").splitlines()) < 30
    assert not [n for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.ClassDef, ast.Global))]
    hook = load_hook()
    plugin = hook._plugin
    assert isinstance(plugin, BulletinsPlugin)
    # Every event the plugin handles is handed over, with the plugin's priority
    events = [name for name in dir(BulletinsPlugin) if name.startswith("on_") and name in vars(BulletinsPlugin)]
    assert sorted(name for name in vars(hook) if name.startswith("on_")) == sorted(events)
    assert hook.on_files.mkdocs_priority == 100 and hook.on_page_markdown.mkdocs_priority == 100
    assert hook.on_post_template.mkdocs_priority == -100
    priorities = {m.__name__: m.mkdocs_priority for m in hook.on_post_page.methods}
    assert priorities == {"_note_theme_scripts": 100, "_fill_placeholders": 100, "_name_the_search_dialog": 100,
                          "_unlink_the_toc_title": 100, "_search_with_pagefind": 100, "_note_written": 100, "_add_policy": -100,
                          "_forget_bulletin": -100}
    assert all(m.__self__ is plugin for m in hook.on_post_page.methods)


def test_each_plugin_holds_its_own_state():
    first, second = BulletinsPlugin(), BulletinsPlugin()
    first.on_startup(command="serve", dirty=True)
    assert (first.dirty, first.previewing) == (True, True)
    assert (second.dirty, second.previewing, second.build) == (False, False, None)


def test_links_follow_the_url_mkdocs_gives_each_file_even_when_its_rule_changes(monkeypatch, tmp_path):
    """The package makes no URL of its own: the rule it links by is MkDocs' File, asked each time
    (a copy of it wrote `安全 会议/` where MkDocs wrote `%E5%AE%89...%20.../`). Were MkDocs to change
    its rule, links would follow: here a File that writes every page as `.htm`."""
    from mkdocs.structure import files

    from safety_bulletins.mkdocs_adapter import urls

    class Htm(files.File):
        @property
        def url(self):
            return super().url.rstrip("/") + ".htm"

    monkeypatch.setattr(urls, "File", Htm)
    urls._file_of.cache_clear()
    try:
        rule = urls.url_rule(True)
        assert rule.url("bulletins/2021/安全 会议.md") == "bulletins/2021/%E5%AE%89%E5%85%A8%20%E4%BC%9A%E8%AE%AE.htm"
        assert site.Links("units/energy.md", rule).page("bulletins/2021/x.md") == "../bulletins/2021/x.htm"  # from units/energy.htm
    finally:
        urls._file_of.cache_clear()


def test_each_build_starts_afresh_and_loads_the_settings_into_the_plugins_config(tmp_path, monkeypatch):
    """A rebuild of `mkdocs serve` runs on_config again on the same plugin: what the last build noted
    of its pages is dropped, its Pagefind run stopped and forgotten; self.config is extra: bulletins:."""
    from mkdocs.config import load_config

    monkeypatch.setenv("BULLETINS_TODAY", "2026-11-20")
    project = example_project(tmp_path / "site")
    with (project / "mkdocs.yml").open("a", encoding="utf-8") as stream:
        stream.write("\nextra:\n  bulletins:\n    due_soon_days: 14\n")
    stopped = []

    class Run:
        def cancel(self):
            stopped.append("cancelled")

    class Thread:
        def join(self):
            stopped.append("joined")

    plugin = BulletinsPlugin()
    plugin.theme_scripts, plugin.written = {"old.md": object()}, {"old.md": "<html>"}
    plugin.indexing = (Run(), Thread())
    plugin.on_config(load_config(str(project / "mkdocs.yml")))
    assert (plugin.theme_scripts, plugin.written, plugin.indexing, stopped) == ({}, {}, None, ["cancelled", "joined"])
    assert isinstance(plugin.config, BulletinsConfig)
    assert (plugin.config["due_soon_days"], plugin.config["upcoming_days"]) == (14, 30)
