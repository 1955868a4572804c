from browsing import foreign


def test_requests_to_other_hosts_are_foreign():
    urls = ["http://127.0.0.1:8080/safety/", "http://127.0.0.1:8080/safety/search/search_index.json",
            "data:image/png;base64,xx", "https://unpkg.com/iframe-worker/shim", "http://127.0.0.1:9999/x",
            "http://localhost:8080/x"]
    assert foreign(urls, "http://127.0.0.1:8080") == urls[3:]
    assert foreign(["file:///site/index.html", "https://fonts.gstatic.com/x.woff2"], "file://") == [
        "https://fonts.gstatic.com/x.woff2"]
