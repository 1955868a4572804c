"""The example's Chinese notice with GB/T 9704's fields, in Chromium: printed, the fields come in
the standard's order (版头, title, 主送, body, signature, 附注, 版记); on a phone the 版头 fits."""

from __future__ import annotations

import subprocess

import pytest
from browsing import SUB_PATH

NOTICE = "bulletins/2026/2026-11-20-关于开展应急演练的通知/"


def test_the_printed_notice_follows_gbt_9704(page, origin, tmp_path):
    page.clock.set_fixed_time("2026-11-28T10:00:00+08:00")  # the day the example site is built for
    page.goto(origin + SUB_PATH + NOTICE)
    page.emulate_media(media="print")
    pdf = tmp_path / "notice.pdf"
    page.pdf(path=str(pdf), format="A4")
    text = "".join(subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout.split())
    order = ["加急", "安全环保部", "新区商投安〔2026〕15号", "签发人：张辉", "关于开展2026年冬季应急演练的通知",
             "各二级单位、集团各部门：", "为检验各单位应急预案", "2026年11月20日（联系人：安全环保部刘燕，电话：0931-8251234）",
             "抄送：集团公司领导、集团办公室。", "安全环保部2026年11月21日印发"]
    places = [text.find(words) for words in order]
    assert -1 not in places and places == sorted(places), dict(zip(order, places))


@pytest.mark.parametrize("width", [1366, 390])
def test_the_masthead_fits_the_screen(page, origin, width):
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(origin + SUB_PATH + NOTICE)
    boxes = {part: page.locator(f".sb-masthead {part}").first.bounding_box()
             for part in (".sb-urgency", ".sb-issuer a", ".sb-number > span:first-child", ".sb-signed-by")}
    header = page.locator(".sb-masthead").bounding_box()
    urgency, issuer, number, signer = boxes.values()
    assert urgency["x"] == header["x"] and urgency["y"] < issuer["y"] < number["y"]  # 紧急程度 top left
    assert abs(issuer["x"] + issuer["width"] / 2 - (header["x"] + header["width"] / 2)) < 2  # centred
    assert number["y"] == signer["y"] and signer["x"] + signer["width"] <= header["x"] + header["width"]
    assert number["x"] < header["x"] + header["width"] / 2 < signer["x"]  # 发文字号 left, 签发人 right
