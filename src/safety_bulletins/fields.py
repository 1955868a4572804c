"""The options of the blocks a bulletin holds, `/// directive` and `/// follow-up`: each declared once.

As pymdown-extensions' blocks declare their OPTIONS, a `Field` says what an option is called in
the block, how it is read, its label in each language, its key in directives.json and column of
directives.csv, whether the listings' filter offers it, and what it must be (required, allowed
values). Read by the parser (the options a block may have), the validator (unknown options with
'did you mean', required and allowed values, how text and choices are read), the exports (the
columns of directives.json and directives.csv), the labels (a field's name and its values' names
in each language), the filter (its controls and each row's facts) and the directive's card.

Free-text and choice options (`TEXT`, `CHOICE`) are read here generically and kept in
`Directive.details` by name: a new one is its entry below and nothing else (its label shows it
on the card, its column in the exports, `filter=True` in the filter). The other kinds have rules
of their own in `sources/validate.py` (an id's characters, a deadline's forms, units by alias...).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .model import GRADES, STATUSES

TEXT = "text"  # free text, one line of YAML: shown on the card, exported as written
CHOICE = "choice"  # one of `choices`, each with a label per language
# Read by their own code in sources/validate.py:
ID = "id"  # a directive's id (an anchor): letters, digits, '-', '.', '_'
UNITS = "units"  # unit ids, names or aliases of units.yml
DEADLINE = "deadline"  # a date, a form from the bulletin's date (10月底前, 立即, +14d), or a standing order
DATE = "date"  # YYYY-MM-DD
FLAG = "flag"  # true or false
UNIT_OR_PERSON = "unit-or-person"  # a unit of units.yml, else a person's name
UNIT = "unit"  # one unit of units.yml (id, name or alias), not `all`
OWNER = "owner"  # a person (责任人), or a mapping of the directive's units to their persons
ESCALATE = "escalate"  # true or false, or a mapping of 挂牌督办's level, supervising body and number
STAGES = "stages"  # milestones: a list of 'name: deadline'
GENERIC = (TEXT, CHOICE)


@dataclass(frozen=True)
class Field:
    name: str  # the option as written in the block: '    measures: ...'
    kind: str  # how the validator reads it: TEXT, CHOICE, or a kind with its own rules
    label: dict[str, str] = field(default_factory=dict)  # {"en": ..., "zh": ...}; the card's <dt>
    column: str | None = None  # its key in directives.json and column of directives.csv; None: not exported
    required: bool = False
    choices: tuple[str, ...] = ()  # the values a CHOICE may take, in the order controls offer them
    choice_labels: dict[str, dict[str, str]] = field(default_factory=dict)  # language -> value -> name
    default: str | None = None  # a CHOICE's value when the option is left out
    filter: bool = False  # a control of the listings' filter, and a word of each row's facts (data-sb-f)
    aliases: dict[str, str] = field(default_factory=dict)  # other words a CHOICE accepts (Chinese) -> its value
    keys: tuple[str, ...] = ()  # other names the option may be written with, as documents say it (牵头单位)

    def __hash__(self) -> int:  # dicts inside: hashed by name, which is unique in a block
        return hash(self.name)


STATUS = Field(
    "status", CHOICE, {"en": "Status", "zh": "状态"}, column="status", choices=STATUSES,
    choice_labels={
        "en": {"open": "Open", "in-progress": "In progress", "awaiting-acceptance": "Awaiting acceptance",
               "done": "Done", "cancelled": "Cancelled"},
        "zh": {"open": "未开始", "in-progress": "整改中", "awaiting-acceptance": "待验收", "done": "已完成",
               "cancelled": "已取消"},
    },
    # As Chinese documents write them; 已销号 (closed off the register) is done, acceptance included
    aliases={"未开始": "open", "整改中": "in-progress", "进行中": "in-progress", "待验收": "awaiting-acceptance",
             "已完成": "done", "已整改": "done", "已销号": "done", "已取消": "cancelled"})
GRADE_ALIASES = {"一般": "general", "一般隐患": "general", "较大": "significant", "较大隐患": "significant",
                 "重大": "major", "重大隐患": "major"}

# In the order the checker lists them ("Allowed fields: ...") and the card and exports show them.
DIRECTIVE: tuple[Field, ...] = (
    Field("id", ID, {"en": "Id", "zh": "编号"}, column="id"),
    Field("units", UNITS, {"en": "Units", "zh": "责任单位"}, column="units", required=True, keys=("责任单位", "承办单位")),
    Field("support", UNITS, {"en": "Support", "zh": "配合单位"}, column="support", keys=("配合单位",)),
    # Roles (issue 21): the lead unit (牵头, one of the responsible units: named here, it is one),
    # the unit to accept the work (验收; without it the issuer), the supervising unit (督办)
    Field("lead", UNIT, {"en": "Lead unit", "zh": "牵头单位"}, column="lead", keys=("牵头单位",)),
    Field("accepting_unit", UNIT, {"en": "Accepting unit", "zh": "验收单位"}, column="accepting_unit", keys=("验收单位",)),
    Field("supervisor", UNIT, {"en": "Supervising unit", "zh": "督办单位"}, column="supervisor", keys=("督办单位",)),
    # People: the responsible leader (责任领导), and the person responsible, one for the directive
    # or one per unit (`owner: {物业公司: 王磊, 能源公司: 李强}`, exported as `owners`)
    Field("leader", TEXT, {"en": "Responsible leader", "zh": "责任领导"}, column="leader", keys=("责任领导",)),
    Field("owner", OWNER, {"en": "Owner", "zh": "责任人"}, column="owner", keys=("责任人",)),
    Field("deadline", DEADLINE, {"en": "Deadline", "zh": "期限"}, column="deadline", required=True),
    Field("status", CHOICE, STATUS.label, column="status", choices=STATUSES, choice_labels=STATUS.choice_labels,
          default="open", aliases=STATUS.aliases),
    Field("grade", CHOICE, {"en": "Grade", "zh": "隐患等级"}, column="grade", choices=GRADES, filter=True,
          choice_labels={"en": {"general": "General hidden danger", "significant": "Significant hidden danger",
                                "major": "Major hidden danger"},
                         "zh": {"general": "一般隐患", "significant": "较大隐患", "major": "重大隐患"}},
          aliases=GRADE_ALIASES),
    # The rest of the "five implementations" (五落实) besides units, owner and deadline
    Field("measures", TEXT, {"en": "Measures", "zh": "整改措施"}, column="measures"),
    Field("funds", TEXT, {"en": "Funds", "zh": "整改资金"}, column="funds"),
    Field("contingency", TEXT, {"en": "Contingency plan", "zh": "应急预案"}, column="contingency"),
    # The last day a recurring duty (每月5日前) runs: its occurrences end there
    Field("until", DATE, {"en": "Until", "zh": "截止"}, column="until"),
    # Milestones, each with its deadline (方案报送: 2026-12-20), and the day a phase starts
    Field("stages", STAGES, {"en": "Stages", "zh": "阶段"}, column="stages"),
    Field("from", DATE, {"en": "Starts", "zh": "开始"}, column="starts"),
)

# What a follow-up says of its directive; directives.json shows what it changed (`history`).
FOLLOW_UP: tuple[Field, ...] = (
    Field("directive", ID, {"en": "Follow-up of", "zh": "落实事项"}, required=True),
    # whose shares it reports: some of the directive's units (default: every one); directives.json
    # gives them in each entry of the history (`units`), beside what it changed
    Field("units", UNITS, {"en": "Units", "zh": "责任单位"}),
    STATUS,
    Field("deadline", DEADLINE, {"en": "Deadline", "zh": "期限"}, column="deadline"),
    Field("reason", TEXT, column="reason"),
    Field("accepted_by", UNIT_OR_PERSON, {"en": "Acceptance", "zh": "验收"}, column="accepted_by"),
    Field("escalate", ESCALATE, {"en": "Escalated", "zh": "督办"}, column="escalated", keys=("挂牌督办",)),
    Field("date", DATE, {"en": "Date", "zh": "日期"}),
    Field("reopen", TEXT, column="reopen"),
    # The occurrence of a recurring duty it reports (2026-11, 2026-Q4, 2026-W48, 2026)
    Field("period", TEXT, {"en": "Period", "zh": "期次"}),  # its history entry says it: "period"
    Field("stage", TEXT, {"en": "Stage", "zh": "阶段"}),  # its history entry says it: "stage"
    # 销号: the done (and, for a graded hidden danger, accepted) work taken off the ledger, on the
    # follow-up's date: an event of its own after acceptance (验收)
    Field("closed_off", FLAG, {"en": "Closed off", "zh": "销号"}, column="closed_off", keys=("销号",)),
)

# The parts of `escalate:` written as a mapping (挂牌督办), with the Chinese words a document uses
ESCALATION_KEYS = {"level": ("level", "级别", "督办级别"), "by": ("by", "督办单位"),
                   "number": ("number", "编号", "督办编号")}


def of_block(kind: str) -> tuple[Field, ...]:
    """The fields of a `/// directive` or `/// follow-up` block."""
    return DIRECTIVE if kind == "directive" else FOLLOW_UP


def names(fields: tuple[Field, ...]) -> tuple[str, ...]:
    return tuple(f.name for f in fields)


def keys(fields: tuple[Field, ...]) -> dict[str, str]:
    """The other names options may be written with (责任单位, 牵头单位...) -> the option's name."""
    return {key: f.name for f in fields for key in f.keys}


def by_name(fields: tuple[Field, ...], name: str) -> Field:
    return next(f for f in fields if f.name == name)


def details() -> tuple[Field, ...]:
    """The directive's free-text and choice options that the validator reads by the spec alone
    into Directive.details, in the spec's order (the card lists them so, after the status), not
    those the model gives an attribute of their own (owner, status)."""
    return tuple(f for f in DIRECTIVE if f.kind in GENERIC and f.name not in _ATTRIBUTES)


def roles() -> tuple[Field, ...]:
    """The directive's options that name one unit in a role (lead, accepting, supervising)."""
    return tuple(f for f in DIRECTIVE if f.kind == UNIT)


def filters() -> tuple[Field, ...]:
    """The directive's options the listings' filter offers, beside unit, bucket and status."""
    return tuple(f for f in DIRECTIVE if f.filter)


def words(language: str) -> dict[str, str]:
    """The fields' names in a language, by their English name: what `Labels` translates."""
    return {f.label["en"]: f.label[language] for f in (*DIRECTIVE, *FOLLOW_UP) if language in f.label}


def choice_labels(name: str, language: str) -> dict[str, str]:
    return dict(by_name(DIRECTIVE, name).choice_labels[language])


def label(f: Field, language: str) -> str:
    """A field's name in a language (English when it has none in that one)."""
    return f.label.get(language) or f.label.get("en") or f.name


_ATTRIBUTES = ("owner", "status")  # Directive's own attributes (every page reads them)
