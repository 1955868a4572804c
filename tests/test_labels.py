import datetime as dt
import re
from pathlib import Path

from safety_bulletins.outputs import labels
from safety_bulletins.model import BUCKETS, BULLETIN_TYPES, GRADES, STATUSES

PACKAGE = Path(labels.__file__).parent


def phrases_used():
    sources = [*PACKAGE.glob("templates/*.html"), PACKAGE / "pages.py", PACKAGE / "dashboard.py", PACKAGE / "feeds.py",
               PACKAGE / "calendars.py"]
    return {m for path in sources for m in re.findall(r'labels\("([^"]+)"', path.read_text(encoding="utf-8"))}


def test_every_phrase_has_a_chinese_translation():
    used = phrases_used()
    assert len(used) > 30
    used |= {"changed once", "changed {count} times", "changed at least once", "changed at least {count} times"}
    assert sorted(used - set(labels.CHINESE.words)) == []


def test_every_value_has_a_label_in_both_languages():
    for language in (labels.ENGLISH, labels.CHINESE):
        assert set(language.TYPES) == set(BULLETIN_TYPES)
        assert set(language.STATUSES) == set(STATUSES)
        assert set(language.BUCKETS) == set(BUCKETS)
        assert set(language.GRADES) == set(GRADES)


def test_language_follows_materials_setting():
    assert labels.for_language("zh") is labels.CHINESE
    assert labels.for_language("zh-TW") is labels.CHINESE
    assert labels.for_language("en") is labels.ENGLISH
    assert labels.CHINESE("Bulletins of {year}", year=2021) == "2021年文件"
    assert labels.CHINESE.long_date(dt.date(2021, 5, 25)) == "2021年5月25日"
    assert labels.ENGLISH.long_date(dt.date(2021, 5, 25)) == "25 May 2021"
