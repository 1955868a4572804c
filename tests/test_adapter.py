"""The MkDocs adapter: the settings declared once as a MkDocs Config, the build's state on a
plugin instance, and hooks/bulletins.py a few lines handing MkDocs' events to it."""

import ast
import dataclasses
import importlib.util

import pytest
from helpers import REPO, example_project

from safety_bulletins.mkdocs_adapter import BulletinsConfig, bulletin_settings
from safety_bulletins.mkdocs_adapter.plugin import BulletinsPlugin
from safety_bulletins.site_build.settings import Settings, SettingsError

HOOK = REPO / "hooks" / "bulletins.py"


def test_each_setting_of_the_schema_is_a_field_of_the_settings():
    names = list(BulletinsConfig())
    assert names == ["audience", "time_zone", "search", "due_soon_days", "upcoming_days", "immediately_days"]
    assert set(names) <= {f.name for f in dataclasses.fields(Settings)}
    assert bulletin_settings({"bulletins": {}}) == Settings()


def test_an_unknown_setting_is_refused_by_the_schema_not_by_its_private_parts():
    with pytest.raises(SettingsError, match=r"unknown setting 'serach'; the settings are: audience, time_zone, search"):
        bulletin_settings({"bulletins": {"serach": "material"}})
    with pytest.raises(SettingsError, match=r"search: .* but received: 'lunr'; write e.g. 'search: pagefind'"):
        bulletin_settings({"bulletins": {"search": "lunr"}})


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
                          "_search_with_pagefind": 100, "_note_written": 100, "_add_policy": -100,
                          "_forget_bulletin": -100}
    assert all(m.__self__ is plugin for m in hook.on_post_page.methods)


def test_each_plugin_holds_its_own_state():
    first, second = BulletinsPlugin(), BulletinsPlugin()
    first.on_startup(command="serve", dirty=True)
    assert (first.dirty, first.previewing) == (True, True)
    assert (second.dirty, second.previewing, second.build) == (False, False, None)


def test_a_build_stops_if_mkdocs_gives_a_file_another_url_than_the_links_say(monkeypatch):
    from mkdocs.exceptions import PluginError
    from mkdocs.structure.files import File

    from safety_bulletins.mkdocs_adapter import plugin
    from safety_bulletins.sources import paths

    file = File("bulletins/2021/安全 会议.md", src_dir=None, dest_dir="", use_directory_urls=True)
    plugin._same_rule(file, True)  # the same rule: nothing to say
    monkeypatch.setattr(paths, "url_for", lambda src, directory_urls: "bulletins/2021/安全 会议/")  # the old copy
    with pytest.raises(PluginError, match=r"at 'bulletins/2021/%E5%AE%89%E5%85%A8%20%E4%BC%9A%E8%AE%AE/', but the "
                                          r"site's links say 'bulletins/2021/安全 会议/index.html' at 'bulletins/2021/安全 会议/'"):
        plugin._same_rule(file, True)


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
