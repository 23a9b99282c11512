"""GB 3304 nationality (民族) codes as printed on the resident ID card."""

from __future__ import annotations

NATIONS: dict[str, str] = {
    "01": "汉",
    "02": "蒙古",
    "03": "回",
    "04": "藏",
    "05": "维吾尔",
    "06": "苗",
    "07": "彝",
    "08": "壮",
    "09": "布依",
    "10": "朝鲜",
    "11": "满",
    "12": "侗",
    "13": "瑶",
    "14": "白",
    "15": "土家",
    "16": "哈尼",
    "17": "哈萨克",
    "18": "傣",
    "19": "黎",
    "20": "傈僳",
    "21": "佤",
    "22": "畲",
    "23": "高山",
    "24": "拉祜",
    "25": "水",
    "26": "东乡",
    "27": "纳西",
    "28": "景颇",
    "29": "柯尔克孜",
    "30": "土",
    "31": "达斡尔",
    "32": "仫佬",
    "33": "羌",
    "34": "布朗",
    "35": "撒拉",
    "36": "毛南",
    "37": "仡佬",
    "38": "锡伯",
    "39": "阿昌",
    "40": "普米",
    "41": "塔吉克",
    "42": "怒",
    "43": "乌孜别克",
    "44": "俄罗斯",
    "45": "鄂温克",
    "46": "德昂",
    "47": "保安",
    "48": "裕固",
    "49": "京",
    "50": "塔塔尔",
    "51": "独龙",
    "52": "鄂伦春",
    "53": "赫哲",
    "54": "门巴",
    "55": "珞巴",
    "56": "基诺",
    "97": "其他",
    "98": "外国血统中国籍人士",
}
"""Two-digit code to the name printed on the card (the card omits the trailing 族)."""

NATION_CODES: dict[str, str] = {name: code for code, name in NATIONS.items()}
"""Printed name to two-digit code (also accepts the name with 族, see `nation_code`)."""


def nation_name(code: str) -> str:
    """The printed name for a code; unknown codes come back as they are."""
    return NATIONS.get(code.zfill(2) if code.isdigit() else code, code)


def nation_code(name_or_code: str) -> str:
    """The two-digit code for a printed name (with or without 族) or a code."""
    if name_or_code.isdigit():
        return name_or_code.zfill(2)
    if name_or_code in NATION_CODES:
        return NATION_CODES[name_or_code]
    if name_or_code.endswith("族") and name_or_code[:-1] in NATION_CODES:
        return NATION_CODES[name_or_code[:-1]]
    raise ValueError(f"unknown nation {name_or_code!r}")
