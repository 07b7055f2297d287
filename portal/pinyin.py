"""Pinyin search keys for Chinese names, with the surname readings a dictionary gets wrong."""

# Surnames read differently from the character's common reading (曾 zeng, not ceng).
SURNAME_READINGS = {
    "曾": "zeng", "单": "shan", "仇": "qiu", "解": "xie", "区": "ou", "查": "zha", "乐": "yue",
    "覃": "qin", "朴": "piao", "盖": "ge", "缪": "miao", "尉": "yu", "种": "chong", "员": "yun",
    "翟": "zhai", "召": "shao", "祭": "zhai", "重": "chong", "折": "she", "哈": "ha", "隗": "wei",
    "冼": "xian", "秘": "bi", "句": "gou", "能": "nai", "那": "na", "万俟": "moqi", "尉迟": "yuchi",
}


def search_keys(name):
    """Full pinyin and initials, so "zs" or "zhangsan" find 张三 and "zb" finds 曾斌."""
    from pypinyin import lazy_pinyin  # imported on first use: keeps start-up fast

    name = name.strip()
    surname = next((s for s in sorted(SURNAME_READINGS, key=len, reverse=True) if name.startswith(s)), "")
    syllables = ([SURNAME_READINGS[surname]] if surname else []) + lazy_pinyin(name[len(surname):])
    syllables = [s.lower() for s in syllables if s.strip()]
    return {"name_pinyin": "".join(syllables), "name_initials": "".join(s[0] for s in syllables)}
