"""The publication workflow as one table of allowed moves. Pure: no Django.

    draft ──submit──▶ review (level 1 … N) ──pass at N──▶ secrecy ──pass──▶ ready
      ▲                  │  return / stop                    │ return / stop     │ publish / schedule
      └──────return──────┘                                   ▼                   ▼
                     stopped ◀──────────── stop          published ──withdraw──▶ withdrawn

A reviewer passes to the next level (the last level passes to secrecy
review), returns the document to its drafter with a comment, or stops it.
A ready document is published at once or scheduled (the worker publishes it
when its time comes); unscheduling keeps it ready. Anything not in the table
is refused with a message.

The final reviewer (终审) may confirm a serious wording error with a written
reason (OVERRIDE_WORDING): a recorded move that changes no state, without
which such a document passes neither 终审 nor publication.

Separation of duties (职责分离): a review step is one review level or the
secrecy review. By default one person takes at most one review step of a
document in a round (from its submission on), and whoever drafted or
submitted it takes none; an organisation may relax either rule
(`Separation`, kept as the publishing ReviewPolicy).
"""

from __future__ import annotations

from dataclasses import dataclass

DRAFT, REVIEW, SECRECY, READY, PUBLISHED, WITHDRAWN, STOPPED = (
    "draft", "review", "secrecy", "ready", "published", "withdrawn", "stopped",
)

SUBMIT, PASS, RETURN, STOP, SCHEDULE, UNSCHEDULE, PUBLISH, WITHDRAW, REOPEN = (
    "submit", "pass", "return", "stop", "schedule", "unschedule", "publish", "withdraw", "reopen",
)
OVERRIDE_WORDING = "override_wording"

ACTION_LABELS = {
    SUBMIT: "提交审核",
    PASS: "通过",
    RETURN: "退回修改",
    STOP: "终止发布",
    SCHEDULE: "定时发布",
    UNSCHEDULE: "取消定时",
    PUBLISH: "立即发布",
    WITHDRAW: "撤回",
    REOPEN: "重新起草",
    OVERRIDE_WORDING: "终审确认严重表述",
}
STATE_LABELS = {
    DRAFT: "草稿", REVIEW: "审核中", SECRECY: "保密审查", READY: "待发布",
    PUBLISHED: "已发布", WITHDRAWN: "已撤回", STOPPED: "已终止",
}

# Which permission (gongkai.core.permissions) each move needs.
PERM_EDIT, PERM_SUBMIT, PERM_REVIEW, PERM_SECRECY, PERM_PUBLISH, PERM_WITHDRAW = (
    "edit", "submit", "review", "secrecy", "publish", "withdraw",
)
# Review at the organisation's last level (终审), whatever the document's level now.
PERM_FINAL_REVIEW = "final_review"


@dataclass(frozen=True)
class Move:
    to: str            # the next state; "next_level" is resolved by `target`
    permission: str    # the permission action in gongkai.core.permissions
    needs_comment: bool = False


NEXT_LEVEL = "next_level"
STAY = "stay"  # state and level unchanged

# (state, action) -> Move. The only source of allowed transitions.
TRANSITIONS: dict[tuple[str, str], Move] = {
    (DRAFT, SUBMIT): Move(REVIEW, PERM_SUBMIT),
    (REVIEW, PASS): Move(NEXT_LEVEL, PERM_REVIEW),
    (REVIEW, RETURN): Move(DRAFT, PERM_REVIEW, needs_comment=True),
    (REVIEW, STOP): Move(STOPPED, PERM_REVIEW, needs_comment=True),
    (SECRECY, PASS): Move(READY, PERM_SECRECY),
    (SECRECY, RETURN): Move(DRAFT, PERM_SECRECY, needs_comment=True),
    (SECRECY, STOP): Move(STOPPED, PERM_SECRECY, needs_comment=True),
    (READY, PUBLISH): Move(PUBLISHED, PERM_PUBLISH),
    (READY, SCHEDULE): Move(READY, PERM_PUBLISH),
    (READY, UNSCHEDULE): Move(READY, PERM_PUBLISH),
    (READY, RETURN): Move(DRAFT, PERM_PUBLISH, needs_comment=True),
    (PUBLISHED, WITHDRAW): Move(WITHDRAWN, PERM_WITHDRAW, needs_comment=True),
    (STOPPED, REOPEN): Move(DRAFT, PERM_EDIT),
    # From the final review level on (services check the level in REVIEW).
    (REVIEW, OVERRIDE_WORDING): Move(STAY, PERM_FINAL_REVIEW, needs_comment=True),
    (SECRECY, OVERRIDE_WORDING): Move(STAY, PERM_FINAL_REVIEW, needs_comment=True),
    (READY, OVERRIDE_WORDING): Move(STAY, PERM_FINAL_REVIEW, needs_comment=True),
}


class TransitionRefused(Exception):
    """A move the table does not allow, with the message a person reads."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def move_for(state: str, action: str) -> Move:
    move = TRANSITIONS.get((state, action))
    if move is None:
        raise TransitionRefused(
            f"“{STATE_LABELS.get(state, state)}”状态的文件不能“{ACTION_LABELS.get(action, action)}”。"
        )
    return move


def target(state: str, action: str, level: int, levels: int) -> tuple[str, int]:
    """The state and review level after `action` on a document in `state` at
    review `level`, for an organisation with `levels` review levels."""
    move = move_for(state, action)
    if move.to == NEXT_LEVEL:
        return (REVIEW, level + 1) if level < levels else (SECRECY, 0)
    if move.to == STAY:
        return state, level
    if move.to == REVIEW:
        return REVIEW, 1
    return move.to, 0


def actions_from(state: str) -> list[str]:
    """The actions the table allows in `state`, in table order."""
    return [action for (s, action) in TRANSITIONS if s == state]


# --- Separation of duties (职责分离) ------------------------------------------

# The moves that take a review step: deciding at a review level or in the
# secrecy review. Submitting, publishing and withdrawing are not review steps.
STEP_MOVES = frozenset({PASS, RETURN, STOP})


def review_step(action: str, from_state: str, level: int) -> tuple[str, int] | None:
    """The review step a move was taken at: (REVIEW, level), (SECRECY, 0),
    or None when the move is not a review step. The final reviewer's
    confirmation of a serious wording error is taken at the final level
    (`level`, as recorded), whatever state the document was in."""
    if action == OVERRIDE_WORDING:
        return REVIEW, level
    if action in STEP_MOVES and from_state == REVIEW:
        return REVIEW, level
    if action in STEP_MOVES and from_state == SECRECY:
        return SECRECY, 0
    return None


@dataclass(frozen=True)
class Separation:
    """An organisation's rule; the default is the strict one."""

    one_step_per_person: bool = True      # one review step of a document per person
    drafter_may_not_review: bool = True   # its drafter or submitter takes none


STRICT = Separation()
DRAFTER_CONFLICT, STEP_CONFLICT = "drafter", "step"


def separation_conflict(person, step: tuple[str, int], *, drafters, taken, policy: Separation = STRICT
                        ) -> tuple[str, tuple[str, int] | None] | None:
    """Why `person` may not take review `step`: (DRAFTER_CONFLICT, None) when
    they drafted or submitted the document, (STEP_CONFLICT, other step) when
    they took another review step of it in this round (`taken`: (person,
    step) pairs), or None."""
    if policy.drafter_may_not_review and person in drafters:
        return DRAFTER_CONFLICT, None
    if policy.one_step_per_person:
        for actor, other in taken:
            if actor == person and other != step:
                return STEP_CONFLICT, other
    return None
