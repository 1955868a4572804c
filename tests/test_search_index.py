import json

import pytest

from safety_bulletins.outputs.search_index import rewrite_as_utf8

TRICKY = [
    "应急预案 安全生产", "\\u4e2d is text, not an escape", "\\\\u4e2d", "\\", 'a "quote"', "\n\t\x01\x1f",
    "é ß", "😀 𠀀", "\u200b分词\u200b", "<p>x</p>", "},{\"", "x},{", "\u2028", "\x7f", "\\u0022 written by an editor",
]


@pytest.mark.parametrize("chunk_size", [1, 7, 64, 2**20])
def test_rewritten_index_has_the_same_data_as_utf8(tmp_path, chunk_size):
    data = {"config": {"separator": "[\\s\\u200b\\-]+"},
            "docs": [{"location": f"p{n}/#{n}", "title": s, "text": s * 3, "tags": [s]} for n, s in enumerate(TRICKY)]}
    path = tmp_path / "search_index.json"
    escaped = json.dumps(data, separators=(",", ":"))  # how Material writes it
    path.write_text(escaped, encoding="ascii")
    rewrite_as_utf8(path, chunk_size)
    text = path.read_text(encoding="utf-8")
    assert json.loads(text) == data
    assert "应急预案" in text and "😀" in text and "\\ud83d" not in text
    assert len(text.encode("utf-8")) < len(escaped)


def test_an_index_already_in_utf8_is_left_as_it_is(tmp_path):
    path = tmp_path / "search_index.json"
    original = json.dumps({"docs": [{"text": "应急 \\u4e2d"}, {"text": "b"}]}, ensure_ascii=False)
    path.write_text(original, encoding="utf-8")
    rewrite_as_utf8(path, 8)
    assert json.loads(path.read_text(encoding="utf-8")) == json.loads(original)


def test_escaped_quotes_from_another_writer_are_parsed(tmp_path):
    path = tmp_path / "search_index.json"
    path.write_text('{"docs":[{"text":"\\u0022\\u005c\\u4e2d"}]}', encoding="ascii")
    rewrite_as_utf8(path)
    assert json.loads(path.read_text(encoding="utf-8")) == {"docs": [{"text": '"\\中'}]}


@pytest.mark.parametrize("chunk_size", [3, 2**20])
def test_text_that_only_looks_like_an_escaped_quote_is_rewritten_in_place(tmp_path, chunk_size):
    """An editor's `\\u0022` (a backslash, then "u0022") is text, not an escaped quote: the index keeps
    every byte Material wrote, its spacing included, but for the escapes of characters, written as the
    characters (read whole and written again, it would be another text: `{"docs":[...` unspaced)."""
    data = {"docs": [{"text": "\\u0022 \\\\\\u005c 应急"}, {"text": "\\u005C"}]}
    path = tmp_path / "search_index.json"
    path.write_text(json.dumps(data), encoding="ascii")  # Python's json, as Material writes it
    rewrite_as_utf8(path, chunk_size)
    assert path.read_text(encoding="utf-8") == json.dumps(data, ensure_ascii=False)
