import pytest

from safety_bulletins.outputs.site import Links, root_of, url_for


@pytest.mark.parametrize(("src", "directory_urls", "url"), [
    ("index.md", True, "./"),
    ("index.md", False, "index.html"),
    ("units/index.md", True, "units/"),
    ("units/energy.md", True, "units/energy/"),
    ("units/energy.md", False, "units/energy.html"),
    ("bulletins/2021/a b.md", True, "bulletins/2021/a b/"),
    ("bulletins/2021/forms/x.csv", True, "bulletins/2021/forms/x.csv"),
])
def test_url_for_matches_mkdocs(src, directory_urls, url):
    assert url_for(src, directory_urls) == url


@pytest.mark.parametrize(("here", "root"), [
    ("./", ""), ("index.html", ""), ("units/", "../"), ("units/energy/", "../../"),
    ("units/energy.html", "../"), ("bulletins/2021/x/", "../../../"),
])
def test_root_of(here, root):
    assert root_of(here) == root


def test_links_from_a_page():
    links = Links("units/energy.md", True)
    assert links.unit("property") == "../../units/property/"
    assert links.page("directives/index.md", "overdue") == "../../directives/#overdue"
    assert links.page("index.md") == "../../"
    assert Links("index.md", True).page("index.md") == "./"
    assert Links("index.md", False).page("units/energy.md") == "units/energy.html"
    assert Links(None, True, root="\0").page("units/index.md") == "\0units/"
