"""Plausible Chinese personal names for demo owners and staff (no real people)."""

from __future__ import annotations

import numpy as np

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程"
    "苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛段雷侯龙史陶黎贺顾毛郝龚邵"
)
GIVEN = (
    "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍鹏辉斌宇浩凯健俊帆帅旭宁琳晨阳雪婷"
    "欣怡子涵梓轩宇航思远嘉豪一鸣佳琪雨桐浩然子墨欣妍诗涵若曦"
)


def person_names(rng: np.random.Generator, n: int) -> list[str]:
    """``n`` names: a surname and one or two given-name characters."""
    sur = rng.integers(0, len(SURNAMES), n)
    g1 = rng.integers(0, len(GIVEN), n)
    g2 = rng.integers(0, len(GIVEN), n)
    two = rng.random(n) < 0.7
    return [
        SURNAMES[s] + GIVEN[a] + (GIVEN[b] if t else "")
        for s, a, b, t in zip(sur.tolist(), g1.tolist(), g2.tolist(), two.tolist(), strict=True)
    ]


def phones(rng: np.random.Generator, n: int) -> list[str]:
    """Mainland mobile numbers in E.164 (+86 1xx xxxx xxxx); not unique by construction."""
    second = rng.choice(np.array([3, 5, 7, 8, 9]), n)
    rest = rng.integers(0, 1_000_000_000, n)
    return [f"+861{a}{b:09d}" for a, b in zip(second.tolist(), rest.tolist(), strict=True)]
