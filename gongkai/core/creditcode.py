"""统一社会信用代码 (unified social credit code), GB 32100-2015.

18 characters: registration authority (1), organisation type (1), administrative
division (6), organisation code (9, itself with a check character), and a final
check character computed over the first 17 with weights 3^i mod 31.
"""

from dataclasses import dataclass

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # 31 characters: no I, O, S, V, Z
WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]


@dataclass(frozen=True)
class CreditCodeError(Exception):
    """A credit code that is not valid; `message` is in Chinese for the screen."""

    message: str
    position: int | None = None  # 1-based position of the wrong character

    def __str__(self) -> str:
        return self.message


def check_character(first17: str) -> str:
    total = sum(ALPHABET.index(ch) * w for ch, w in zip(first17, WEIGHTS))
    return ALPHABET[(31 - total % 31) % 31]


def normalise(code: str) -> str:
    # Full-width letters/digits and lower case are common when people type it.
    out = []
    for ch in code.strip():
        o = ord(ch)
        if 0xFF01 <= o <= 0xFF5E:
            ch = chr(o - 0xFEE0)
        out.append(ch.upper())
    return "".join(out).replace(" ", "")


def validate(code: str) -> str:
    """Return the normalised code, or raise CreditCodeError naming the wrong character."""
    code = normalise(code)
    if len(code) != 18:
        raise CreditCodeError(f"统一社会信用代码应为18位，当前为{len(code)}位。")
    for i, ch in enumerate(code, start=1):
        if ch not in ALPHABET:
            raise CreditCodeError(
                f"统一社会信用代码第{i}位“{ch}”不是允许的字符（不使用I、O、S、V、Z）。", position=i
            )
    expected = check_character(code[:17])
    if code[17] != expected:
        raise CreditCodeError(
            f"统一社会信用代码第18位（校验码）应为“{expected}”，当前为“{code[17]}”：请核对前17位是否有误。",
            position=18,
        )
    return code
