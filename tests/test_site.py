import pytest

from safety_bulletins.mkdocs_adapter import url_rule
from safety_bulletins.outputs.site import Links, root_of


@pytest.mark.parametrize(("src", "directory_urls", "url"), [
    ("index.md", True, "./"),
    ("index.md", False, "index.html"),
    ("units/index.md", True, "units/"),
    ("units/energy.md", True, "units/energy/"),
    ("units/energy.md", False, "units/energy.html"),
    ("bulletins/2021/a b.md", True, "bulletins/2021/a%20b/"),  # MkDocs percent-encodes (File.url)
    ("bulletins/2021/a b.md", False, "bulletins/2021/a%20b.html"),
    ("bulletins/2021/2021-05-25-安全会议.md", True, "bulletins/2021/2021-05-25-%E5%AE%89%E5%85%A8%E4%BC%9A%E8%AE%AE/"),
    ("bulletins/2021/附件/表 1.pdf", True, "bulletins/2021/%E9%99%84%E4%BB%B6/%E8%A1%A8%201.pdf"),
    ("bulletins/2021/forms/x.csv", True, "bulletins/2021/forms/x.csv"),
])
def test_the_url_rule_is_mkdocs(src, directory_urls, url):
    assert url_rule(directory_urls).url(src) == url


@pytest.mark.parametrize(("here", "root"), [
    ("./", ""), ("index.html", ""), ("units/", "../"), ("units/energy/", "../../"),
    ("units/energy.html", "../"), ("bulletins/2021/x/", "../../../"),
])
def test_root_of(here, root):
    assert root_of(here) == root


def test_links_from_a_page():
    links = Links("units/energy.md", url_rule(True))
    assert links.unit("property") == "../../units/property/"
    assert links.page("directives/index.md", "overdue") == "../../directives/#overdue"
    assert links.page("index.md") == "../../"
    assert Links("index.md", url_rule(True)).page("index.md") == "./"
    assert Links("index.md", url_rule(False)).page("units/energy.md") == "units/energy.html"
    assert Links(None, url_rule(True), root="\0").page("units/index.md") == "\0units/"


@pytest.mark.parametrize("directory_urls", [True, False])
@pytest.mark.parametrize("src", [
    "index.md", "README.md", "units/index.md", "a b.md", "bulletins/2021/安全 会议.md", "bulletins/2021/x/README.md",
    "bulletins/2021/表 1.pdf", "bulletins/2021/a+b&c=d;e.md", "bulletins/2021/ü~é!$'()*,@.docx", "x.markdown",
])
def test_urls_and_files_are_those_of_mkdocs_own_file_objects(src, directory_urls):
    """The rule every link of the site follows is MkDocs' File.url and dest_uri, percent-encoding included:
    made by MkDocs itself (mkdocs_adapter.url_rule), not copied."""
    from mkdocs.structure.files import File

    file = File(src, src_dir=None, dest_dir="", use_directory_urls=directory_urls)
    rule = url_rule(directory_urls)
    assert (rule.url(src), rule.dest(src)) == (file.url, file.dest_uri)


def test_the_site_links_a_bulletin_at_the_url_mkdocs_gives_its_page(site_project):
    """A file name with Chinese and a space: every link and URL the package writes (the register,
    directives.json, the feeds) is the one MkDocs puts in its own sitemap, percent-encoded."""
    import json
    import re

    from helpers import MEETING_MD, build

    project = site_project({"2021/2021-05-25-安全 会议.md": MEETING_MD})
    site = build(project)
    (page,) = re.findall(r"<loc>http://intranet\.test/safety/(bulletins/[^<]*)</loc>",
                         (site / "sitemap.xml").read_text(encoding="utf-8"))
    assert page == "bulletins/2021/2021-05-25-%E5%AE%89%E5%85%A8%20%E4%BC%9A%E8%AE%AE/"
    register = (site / "directives/index.html").read_text(encoding="utf-8")
    assert f'href="../{page}#CIG-2021-05-2"' in register and "安全 会议/" not in register
    records = json.loads((site / "directives.json").read_text(encoding="utf-8"))["directives"]
    assert {r["url"].split("#")[0] for r in records} == {page}
    assert f"http://intranet.test/safety/{page}" in (site / "feeds/all.xml").read_text(encoding="utf-8")
    assert "%25" not in (site / "feeds/all.xml").read_text(encoding="utf-8")  # encoded once, not twice
