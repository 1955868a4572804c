"""Generate a realistic corpus of N bulletins for benchmarks (fixed seed: same N, same files).

    python bench/corpus.py N DEST      # writes DEST/mkdocs.yml, DEST/docs, DEST/bulletins

Minutes, notices (with meetings) and inspection reports, one in four in Chinese, about
five directives each, addressed to units of a registry of 30; English bulletins are
about 600 words, Chinese ones about 1,200 characters. About one `/// follow-up` for every
two directives, in later bulletins, each on an earlier directive issued open or in-progress
(at most two per directive; the second may close it), from a random stream of their own:
the bulletins without them (`--no-follow-ups`) are the same as before follow-ups existed.

    python bench/corpus.py N DEST --no-follow-ups
"""

from __future__ import annotations

import datetime as dt
import random
import shutil
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SEED = 20210525
UNIT_KINDS = [
    ("property", "Property Management Company", "物业公司"), ("energy", "Energy Company", "能源公司"),
    ("logistics", "Logistics Company", "物流公司"), ("construction", "Construction Company", "建设公司"),
    ("hotel", "Hotel Management Company", "酒店管理公司"), ("real-estate", "Real Estate Company", "置业公司"),
]
EN_SENTENCES = [
    "All units shall investigate hidden dangers in production sites, warehouses and construction projects.",
    "The inspection found fire extinguishers past their service date in two warehouses.",
    "Emergency plans must be revised in the light of the organisation, the scale of production and the risks.",
    "Safety officers shall take part in online and offline training on accident prevention and emergency handling.",
    "Electrical wiring in the cold storage was found damaged and must be replaced before the summer season.",
    "Each unit keeps a register of hidden dangers with measures, funds, deadlines and responsible persons.",
    "Responsibility for safety is passed down to every post, and key periods are supervised in the whole process.",
    "The meeting studied the lessons of recent accidents in the province and in the new area.",
    "Contractors working at height must be supervised, and their permits checked every day.",
    "Gas pipelines at the filling stations were inspected and two leaking valves were replaced.",
]
ZH_SENTENCES = [
    "各单位要全面开展安全隐患排查整治，做到横向到边、纵向到底，不留死角。",
    "要修订完善应急预案，结合组织管理体系、生产规模和可能发生事故的特点，确保一旦发生事故能够快速响应、妥善处置。",
    "检查发现部分仓库灭火器过期失效，消防通道堆放杂物，须立即整改。",
    "安全管理人员要通过线上线下培训，学习事故防范和应急处置知识，提升应急处置能力。",
    "要落实风险分级管控和隐患排查治理双重预防机制，建立隐患排查治理台账。",
    "压紧压实安全生产责任，突出对重点区域、重点部位、重点环节、重点时段的监管。",
    "冷库电气线路老化破损，须在夏季用电高峰前完成更换。",
    "加油站燃气管道阀门存在渗漏，已责令停用并限期维修。",
]
EN_TITLES = ["Minutes of the monthly safety meeting", "Notice on the quarterly safety inspection",
             "Report on the inspection of hidden dangers", "Minutes of the safety production committee"]
ZH_TITLES = ["安全生产月度例会纪要", "关于开展季度安全检查的通知", "安全隐患专项检查情况通报", "安全生产委员会会议纪要"]
TYPES = ["minutes", "notice", "inspection", "minutes"]
STATUSES = ["open", "open", "in-progress", "done", "done", "awaiting-acceptance", "cancelled"]


def units() -> list[dict]:
    registry = [{"id": "safety-env", "name": "Safety and Environmental Protection Department", "aliases": ["安全环保部"]}]
    for n in range(29):
        slug, name, zh = UNIT_KINDS[n % len(UNIT_KINDS)]
        index = n // len(UNIT_KINDS) + 1
        registry.append({"id": f"{slug}-{index}", "name": f"{name} No. {index}", "aliases": [f"{zh}{index}"]})
    return registry


def write_units(path: Path, registry: list[dict]) -> None:
    lines = []
    for unit in registry:
        lines += [f"- id: {unit['id']}", f"  name: {unit['name']}", f"  aliases: [{', '.join(unit['aliases'])}]"]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


EN_FOLLOW_UP_TITLES = ["Progress on the warehouse sprinklers", "Progress on the hidden-danger register",
                      "Wiring in the cold storage", "Training of safety officers", "Valves at the filling stations"]
ZH_FOLLOW_UP_TITLES = ["仓库喷淋系统整改进展", "隐患排查治理台账落实情况", "冷库电气线路更换进展", "安全管理人员培训情况"]
EN_FOLLOW_UP_TEXTS = ["Work has started and half of the items on the list have been dealt with.",
                      "The unit reported the measures taken; the remaining items wait for spare parts.",
                      "The safety department checked the site and found the work complete."]
ZH_FOLLOW_UP_TEXTS = ["整改工作已启动，清单中过半事项已完成。", "该单位已报送整改措施，其余事项待配件到货后完成。",
                      "安全环保部现场复核，整改已完成。"]
FOLLOWED_STATUSES = ("open", "in-progress")


class FollowUps:
    """Follow-ups on earlier directives: about one for every two directives, from their own
    random stream, on directives issued open or in-progress, at most two per directive."""

    def __init__(self) -> None:
        self.rng = random.Random(SEED + 1)
        self.open: list[dict] = []  # directives that may still get a follow-up

    def issued(self, stem: str, day: dt.date, statuses: list[str]) -> None:
        for number, status in enumerate(statuses, start=1):
            if status in FOLLOWED_STATUSES:
                self.open.append({"id": f"{stem}-{number}", "since": day, "count": 0})

    def blocks(self, count: int, day: dt.date, chinese: bool) -> list[str]:
        rng = self.rng
        chosen = rng.sample(self.open, min(count, len(self.open)))
        blocks = []
        for target in chosen:
            span = (day - target["since"]).days
            date = target["since"] + dt.timedelta(days=rng.randint(0, max(span, 0)))
            options = [f"directive: {target['id']}"]
            if target["count"] == 0:
                kind = rng.choice(["in-progress", "in-progress", "awaiting-acceptance", "extend", "escalate", "report"])
            else:
                kind = rng.choice(["done", "done", "done", "in-progress", "extend"])
            if kind in ("in-progress", "awaiting-acceptance"):
                options.append(f"status: {kind}")
            elif kind == "extend":
                options += ["status: in-progress", f"deadline: {(date + dt.timedelta(days=rng.randint(30, 90))).isoformat()}",
                            "reason: spare parts are delayed"]
            elif kind == "escalate":
                options += ["status: in-progress", "escalate: true"]
            elif kind == "done":
                options += ["status: done", "accepted_by: safety-env"]
            options.append(f"date: {date.isoformat()}")
            target["count"] += 1
            target["since"] = date
            if kind == "done" or target["count"] == 2:
                self.open.remove(target)
            title = rng.choice(ZH_FOLLOW_UP_TITLES if chinese else EN_FOLLOW_UP_TITLES)
            texts = ZH_FOLLOW_UP_TEXTS if chinese else EN_FOLLOW_UP_TEXTS
            text = texts[2] if kind == "done" else " ".join(rng.sample(texts[:2], rng.randint(1, 2)))
            blocks.append(f"/// follow-up | {title}\n" + "".join(f"    {o}\n" for o in options) + f"\n{text}\n///\n")
        return blocks


def bulletin(rng: random.Random, n: int, day: dt.date, registry: list[dict],
             follow_ups: FollowUps | None = None) -> tuple[str, str]:
    chinese = n % 4 == 3
    kind = TYPES[n % len(TYPES)]
    sentences, titles = (ZH_SENTENCES, ZH_TITLES) if chinese else (EN_SENTENCES, EN_TITLES)
    title = f"{titles[TYPES.index(kind)]} {day.isoformat()} ({n})"
    paragraphs = 12 if chinese else 8
    body = "\n\n".join(" ".join(rng.choice(sentences) for _ in range(5 if chinese else 6)) for _ in range(paragraphs))
    front = [f"title: \"{title}\"", f"date: {day.isoformat()}", f"type: {kind}", "issuer: safety-env",
             f"number: \"CIG-Safety〔{day.year}〕{n}号\"", "presided_by: Wang Jianmin"]
    if kind == "notice":
        front.append(f"meeting: {{start: \"{(day + dt.timedelta(days=7)).isoformat()} 09:30\", place: Room 3}}")
    directives, statuses = [], []
    for k in range(rng.randint(3, 7)):
        unit = rng.choice(registry)
        reference = unit["aliases"][0] if chinese else unit["id"]
        deadline = rng.choice([f"+{rng.randint(3, 90)}d", "ongoing", (day + dt.timedelta(days=rng.randint(1, 120))).isoformat()])
        text = " ".join(rng.choice(sentences) for _ in range(3))
        label = rng.choice(sentences)[:40]  # drawn before the status, as always: same seed, same corpus
        statuses.append(rng.choice(STATUSES))
        directives.append(
            f"/// directive | {label}\n    units: [{'all' if k == 0 else reference}]\n"
            f"    support: [safety-env]\n    deadline: {deadline}\n    status: {statuses[-1]}\n\n{text}\n///\n"
        )
    heading = "## 会议议定事项" if chinese else "## Directives"
    text = "---\n" + "\n".join(front) + "\n---\n" + body + f"\n\n{heading}\n\n" + "\n".join(directives)
    stem = f"{day.isoformat()}-b{n}"
    if follow_ups is not None:
        # about one for every two directives: 0-5 a bulletin, 2.5 on average
        blocks = follow_ups.blocks(follow_ups.rng.randint(0, 5), day, chinese)
        if blocks:
            text += "\n" + ("## 跟进情况" if chinese else "## Follow-ups") + "\n\n" + "\n".join(blocks)
        follow_ups.issued(stem, day, statuses)
    return f"{stem}.md", text


def generate(count: int, dest: Path, follow_ups: bool = True) -> Path:
    rng = random.Random(SEED)
    later = FollowUps() if follow_ups else None
    if dest.exists():
        shutil.rmtree(dest)
    (dest / "bulletins").mkdir(parents=True)
    shutil.copytree(REPO / "docs", dest / "docs")
    shutil.copytree(REPO / "hooks", dest / "hooks")
    shutil.copy(REPO / "mkdocs.yml", dest / "mkdocs.yml")
    registry = units()
    write_units(dest / "bulletins" / "units.yml", registry)
    start = dt.date(2017, 1, 2)
    for n in range(count):
        day = start + dt.timedelta(days=n * 3650 // max(count, 1))
        name, text = bulletin(rng, n, day, registry, later)
        folder = dest / "bulletins" / str(day.year)
        folder.mkdir(exist_ok=True)
        (folder / name).write_text(text, encoding="utf-8")
    return dest


if __name__ == "__main__":
    args = [a for a in sys.argv[1:] if a != "--no-follow-ups"]
    generate(int(args[0]), Path(args[1]), follow_ups="--no-follow-ups" not in sys.argv[1:])
