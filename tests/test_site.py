import pytest

from safety_bulletins.site import Links, relative_url, url_for


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


@pytest.mark.parametrize(("here", "there", "link"), [
    ("units/energy/", "bulletins/2021/x/", "../../bulletins/2021/x/"),
    ("./", "units/", "units/"),
    ("units/energy/", "./", "../../"),
    ("units/energy.html", "bulletins/2021/x.html", "../bulletins/2021/x.html"),
    ("index.html", "directives.json", "directives.json"),
])
def test_relative_urls(here, there, link):
    assert relative_url(here, there) == link


def test_links_from_a_page():
    links = Links("units/energy.md", True)
    assert links.unit("property") == "../property/"
    assert links.page("directives/index.md", "overdue") == "../../directives/#overdue"
