"""The notices an application's procedure sends, and their sign-off (签发), as
one table of allowed moves. Pure: no Django.

    draft ──submit──▶ pending ──sign──▶ signed ──send──▶ sent ──record_delivery──▶ sent
      ▲  ◀──recall───    │                 │
      │                  │ return          │ return (the signer takes the signature back)
      └──edit/submit── returned ◀──────────┘
    draft / pending / returned / signed ──discard──▶ discarded

A handler drafts a notice (the arguments of the service action it will take,
e.g. the items of a correction request) and submits it; whoever may sign in
the organisation (the office head, or a person the organisation names) signs
it or returns it with a reason; a returned notice is edited (a new version,
the old ones kept) and submitted again. Only a signed notice is sent: the
send takes the service action on the day it is sent, numbers the notice in
the organisation's series and dates it. Separation of duties: whoever drafted
or edited a notice does not sign it, unless the organisation allows it.

Which article each kind rests on, whom it goes to, whether it carries the
remedies sentence (行政复议、行政诉讼), and its letter number's code are
data here too. The remedies go on whatever decides the applicant's rights:
every reply, the fee notice (an obligation to pay) and the transfer (this
organ will not answer). A correction request and an extension notice do not
carry them: they only ask or inform on the way to the reply, and the reply
is what can be challenged (最高人民法院《关于审理政府信息公开行政案件若干问题的规定》
第二条第（一）项: a request to complete an unclear application that has no real
effect on the applicant's rights and duties is not a case of its own). The
consultations go to a third party or another organ, not to the applicant.
"""

from __future__ import annotations

from dataclasses import dataclass

# Kinds.
CORRECTION, EXTENSION, THIRD_PARTY, ORGAN, FEE, REPLY, TRANSFER = (
    "correction", "extension", "third_party", "organ", "fee", "reply", "transfer",
)

# States.
DRAFT, PENDING, RETURNED, SIGNED, SENT, DISCARDED = "draft", "pending", "returned", "signed", "sent", "discarded"

# Moves.
SUBMIT, RECALL, EDIT, SIGN, RETURN, SEND, RECORD_DELIVERY, DISCARD = (
    "submit", "recall", "edit", "sign", "return", "send", "record_delivery", "discard",
)

# Who may take a move: the handler of the application ("handle") or a signer ("sign").
HANDLE, SIGNER = "handle", "sign"


@dataclass(frozen=True)
class Kind:
    label: str            # the notice's usual name
    article: str          # what it rests on
    code: str             # its series' code in the letter number (西昌市依申补〔2026〕第3号)
    to_applicant: bool    # sent to the applicant (else to a third party or another organ)
    remedy: bool          # carries the remedies sentence


KINDS: dict[str, Kind] = {
    CORRECTION: Kind("补正告知书", "《中华人民共和国政府信息公开条例》第三十条", "补", True, False),
    EXTENSION: Kind("延期答复告知书", "《中华人民共和国政府信息公开条例》第三十三条第二款", "延", True, False),
    THIRD_PARTY: Kind("征求第三方意见书", "《中华人民共和国政府信息公开条例》第三十二条", "征", False, False),
    ORGAN: Kind("征求意见函", "《中华人民共和国政府信息公开条例》第三十四条", "函", False, False),
    FEE: Kind("收费通知书", "《中华人民共和国政府信息公开条例》第四十二条、《政府信息公开信息处理费管理办法》", "费", True, True),
    REPLY: Kind("答复告知书", "《中华人民共和国政府信息公开条例》第三十六条至第三十九条", "答", True, True),
    TRANSFER: Kind("转送告知书", "《中华人民共和国政府信息公开条例》第三十六条第（五）项", "转", True, True),
}
KIND_CHOICES = [(key, kind.label) for key, kind in KINDS.items()]

STATE_LABELS = {
    DRAFT: "草稿", PENDING: "待签发", RETURNED: "已退回修改", SIGNED: "已签发待发出", SENT: "已发出", DISCARDED: "已作废",
}
MOVE_LABELS = {
    SUBMIT: "提交签发", RECALL: "撤回修改", EDIT: "修改", SIGN: "签发", RETURN: "退回", SEND: "发出",
    RECORD_DELIVERY: "登记送达", DISCARD: "作废",
}
OPEN_STATES = (DRAFT, PENDING, RETURNED, SIGNED)


@dataclass(frozen=True)
class Move:
    to: str | None        # None: the state stays
    who: str              # HANDLE or SIGNER
    needs_comment: bool = False


TRANSITIONS: dict[tuple[str, str], Move] = {
    (DRAFT, SUBMIT): Move(PENDING, HANDLE),
    (RETURNED, SUBMIT): Move(PENDING, HANDLE),
    (DRAFT, EDIT): Move(None, HANDLE),
    (RETURNED, EDIT): Move(None, HANDLE),
    (PENDING, RECALL): Move(DRAFT, HANDLE),
    (PENDING, SIGN): Move(SIGNED, SIGNER),
    (PENDING, RETURN): Move(RETURNED, SIGNER, needs_comment=True),
    (SIGNED, RETURN): Move(RETURNED, SIGNER, needs_comment=True),
    (SIGNED, SEND): Move(SENT, HANDLE),
    (SENT, RECORD_DELIVERY): Move(None, HANDLE),
    **{(state, DISCARD): Move(DISCARDED, HANDLE) for state in OPEN_STATES},
}


class Refused(Exception):
    """A move the table does not allow from the notice's state."""


def move(state: str, action: str) -> Move:
    found = TRANSITIONS.get((state, action))
    if found is None:
        raise Refused(f"“{STATE_LABELS.get(state, state)}”的告知书不能{MOVE_LABELS.get(action, action)}。")
    return found


def target(state: str, action: str) -> str:
    found = move(state, action)
    return state if found.to is None else found.to


def allowed(state: str) -> list[str]:
    """The moves the table allows from `state`, in the table's order."""
    return [action for (frm, action) in TRANSITIONS if frm == state]


def may_sign_own(drafters: set, signer, *, drafter_may_sign: bool) -> bool:
    """Separation of duties: whoever drafted or edited a notice does not sign
    it, unless the organisation allows it."""
    return drafter_may_sign or signer not in drafters
