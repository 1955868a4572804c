"""MkDocs glue for Safety Bulletins (`hooks:` in mkdocs.yml): every event goes to one
BulletinsPlugin (safety_bulletins/mkdocs_adapter/plugin.py), which holds the build's state and
declares each event's priority. MkDocs loads this module once per process, so `mkdocs serve`
rebuilds with the same plugin, which starts each build afresh in on_config."""

from safety_bulletins.mkdocs_adapter.plugin import BulletinsPlugin

_plugin = BulletinsPlugin()

on_startup = _plugin.on_startup
on_shutdown = _plugin.on_shutdown
on_config = _plugin.on_config
on_files = _plugin.on_files
on_nav = _plugin.on_nav
on_pre_build = _plugin.on_pre_build
on_page_markdown = _plugin.on_page_markdown
on_page_content = _plugin.on_page_content
on_page_context = _plugin.on_page_context
on_post_page = _plugin.on_post_page
on_post_template = _plugin.on_post_template
on_env = _plugin.on_env
on_post_build = _plugin.on_post_build
on_build_error = _plugin.on_build_error
