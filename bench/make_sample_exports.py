#!/usr/bin/env python3
"""Writes the sample exports under data/exports/ (deterministic).

units-2020-11.json reproduces the November 2020 table of 教卫工作通报 第6期
exactly: for each unit the members and the month's totals of active members
and points are chosen so that mean(active/members) and mean(score/members)
over the 30 days round to the published values.
"""
import datetime as dt
import json
import os
import random
import sys

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
OUT = os.path.join(ROOT, "data", "exports")

SEED_000 = """中共上海出版印刷高等专科学校委员会	97.60	43.06
中共上海工艺美术职业学院 (上海市工艺美术学校)委员会	94.80	41.59
中共上海农林职业技术学院 (上海市农业学校)委员会	94.55	40.13
中共上海旅游高等专科学校委员会	94.45	42.05
中共上海电力大学委员会	94.20	44.47
中共上海城建职业学院委员会	93.96	41.22
中共上海电子信息职业技术学院委员会	92.17	40.86
中共上海师范大学委员会	91.71	38.83
中共上海海洋大学委员会	91.68	40.53
中共上海海事大学委员会	88.88	39.66
中共上海立信会计金融学院委员会	88.28	37.35
中共上海交通职业技术学院委员会	87.85	38.75
中共上海政法学院委员会	87.27	37.59
中共上海开放大学委员会	86.76	37.34
中共上海大学委员会	86.42	32.35
中共上海健康医学院委员会	84.24	34.59
中共上海应用技术大学委员会	82.11	32.86
中共上海理工大学委员会	80.09	32.38
中共上海戏剧学院委员会	78.33	30.71
中共上海电机学院委员会	76.07	30.56
中共上海音乐学院委员会	74.65	27.02
中共华东理工大学委员会	74.61	28.28
中共上海体育学院委员会	74.38	28.03
中共上海工程技术大学委员会	73.14	28.95
中共上海第二工业大学委员会	68.26	22.79
中共上海商学院委员会	66.66	26.59
中共上海市教育考试院委员会	65.77	29.41
中共华东政法大学委员会	65.75	19.34
中共上海海关学院委员会	65.14	21.84
中共上海交通大学医学院委员会	64.75	24.33
中共上海市民办高校工作委员会	64.63	25.43
中共上海市教育科学研究院委员会	63.77	23.63
中共上海对外经贸大学委员会	61.00	20.60
中共上海中医药大学委员会	60.07	22.20
中同济大学委员会	59.93	20.73
中共上海市卫生健康委员会党组	54.68	22.28
中共东华大学委员会	49.90	17.36
中共上海科技大学委员会	45.92	13.62
中共上海财经大学委员会	42.62	14.12
中共华东师范大学委员会	42.58	13.85
中共上海交通大学委员会	36.98	13.35
中共上海申康医院发展中心委员会	36.28	13.60
中共上海外国语大学委员会	31.31	9.95
中共复旦大学委员会	26.19	8.58"""


def days(first, last):
    d = first
    while d <= last:
        yield d
        d += dt.timedelta(days=1)


def spread(total, weights, cap):
    """Integers proportional to weights, each <= cap, summing to total."""
    s = sum(weights)
    vals = [min(cap, int(total * w / s)) for w in weights]
    i = 0
    while sum(vals) < total:
        if vals[i % len(vals)] < cap:
            vals[i % len(vals)] += 1
        i += 1
    return vals


def write_array(path, records, holder=None):
    lines = [json.dumps(r, ensure_ascii=False) for r in records]
    body = "[\n" + ",\n".join(lines) + "\n]"
    if holder:
        body = "{" + ", ".join(f'"{k}": {json.dumps(v, ensure_ascii=False)}' for k, v in holder.items()) + \
            ', "data": ' + body + "}"
    with open(path, "w", encoding="utf-8") as f:
        f.write(body + "\n")


def write_lines(path, records):
    with open(path, "w", encoding="utf-8") as f:
        for r in records:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")


def units(rng):
    rows = [line.split("\t") for line in SEED_000.splitlines()]
    nov = list(days(dt.date(2020, 11, 1), dt.date(2020, 11, 30)))
    dec = list(days(dt.date(2020, 12, 1), dt.date(2020, 12, 15)))
    by_day = {d: [] for d in nov + dec}
    for name, pct, score in rows:
        p, s = float(pct) / 100, float(score)
        members = rng.randint(420, 3600)
        n = len(nov)
        active_total = round(n * members * p)
        assert f"{100 * active_total / (n * members):.2f}" == pct or abs(100 * active_total / (n * members) - float(pct)) < 0.004
        score_total = round(n * members * s)
        # Weekdays busier than weekends, a little noise.
        w = [(1.0 if d.weekday() < 5 else 0.93) * rng.uniform(0.97, 1.03) for d in nov]
        act = spread(active_total, w, members)
        pts = spread(score_total, [x * rng.uniform(0.95, 1.05) for x in w], 10**9)
        for d, a, sc in zip(nov, act, pts):
            by_day[d].append({"日期": d.isoformat(), "单位": name, "学员总数": members,
                              "活跃学员数": a, "积分合计": sc})
        # December so far: the same habits, drifting a little.
        drift = rng.uniform(0.97, 1.03)
        members2 = members + rng.randint(0, 12)
        for d in dec:
            f = (1.0 if d.weekday() < 5 else 0.93) * rng.uniform(0.97, 1.03) * drift
            a = min(members2, round(members2 * p * f))
            by_day[d].append({"日期": d.isoformat(), "单位": name, "学员总数": members2,
                              "活跃学员数": a, "积分合计": round(members2 * s * f)})
    write_array(os.path.join(OUT, "units-2020-11.json"), [r for d in nov for r in by_day[d]])
    write_array(os.path.join(OUT, "units-2020-12.json"), [r for d in dec for r in by_day[d]],
                holder={"导出时间": "2020-12-16 08:00", "条数": len(dec) * len(rows)})


SHNU_UNITS = ["人文学院分党委", "外国语学院分党委", "哲学与法政学院分党委", "教育学院分党委",
              "商学院分党委", "数理学院分党委", "化学与材料科学学院分党委", "生命科学学院分党委",
              "信息与机电工程学院分党委", "环境与地理科学学院分党委", "音乐学院分党委",
              "美术学院分党委", "体育学院分党委", "旅游学院分党委", "对外汉语学院分党委",
              "机关党委", "图书馆党总支", "后勤党委"]


def shnu(rng):
    first, last = dt.date(2020, 10, 1), dt.date(2020, 11, 30)
    profile = {u: (rng.randint(60, 900), rng.uniform(0.55, 0.97), rng.uniform(18, 42)) for u in SHNU_UNITS}
    for month in (10, 11):
        recs = []
        for d in days(dt.date(2020, month, 1), dt.date(2020, month, 30 if month == 11 else 31)):
            for u in SHNU_UNITS:
                m, p, s = profile[u]
                f = (1.0 if d.weekday() < 5 else 0.9) * rng.uniform(0.95, 1.04)
                a = min(m, round(m * p * f))
                recs.append({"日期": d.isoformat(), "单位": u, "学员总数": m, "活跃学员数": a,
                             "积分合计": round(a * s * rng.uniform(0.95, 1.05))})
        write_lines(os.path.join(OUT, f"shnu-units-2020-{month}.jsonl"), recs)


SURNAMES = "韦黄陆覃蒙李梁莫潘刘陈周吴唐何蓝罗林杨谢"
GIVEN = ["丽华", "建军", "海燕", "志强", "秀梅", "文斌", "春兰", "国庆", "晓东", "桂英", "明辉",
         "小玲", "永福", "雪梅", "振宇", "燕玲", "德华", "慧敏", "荣光", "月娥", "少华", "俊杰",
         "翠芬", "宏伟", "玉兰", "立新", "美玲", "家豪", "金凤", "学军"]


def people(rng, n, used):
    out = []
    while len(out) < n:
        name = rng.choice(SURNAMES) + rng.choice(GIVEN)
        if name not in used:
            used.add(name)
            out.append(name)
    return out


def gxfz(rng):
    branches = {"机关第一党支部": 13, "机关第二党支部": 12, "纺织服装系党支部": 12,
                "信息工程系党支部": 11, "经济管理系党支部": 12}
    used = set()
    members = []
    for b, n in branches.items():
        for name in people(rng, n, used):
            # Daily habit: most keep above 20 points a day, a few do not.
            rate = rng.choice([rng.uniform(12, 19), rng.uniform(20, 30), rng.uniform(25, 45),
                               rng.uniform(30, 45)])
            members.append({"name": name, "branch": b, "rate": rate,
                            "total": rng.randint(6000, 32000)})
    year = list(days(dt.date(2021, 1, 1), dt.date(2021, 12, 31)))
    quarter_edges = {dt.date(2021, m, 1) for m in (1, 4, 7, 10)} | \
        {dt.date(2021, 3, 31), dt.date(2021, 6, 30), dt.date(2021, 9, 30), dt.date(2021, 12, 31)}
    sampled, daily = [], []
    for d in year:
        for m in members:
            pts = max(0, round(rng.gauss(m["rate"], 6)))
            if rng.random() < 0.05:
                pts = rng.randint(0, 8)  # a busy day
            m["total"] += pts
            rec = {"日期": d.isoformat(), "姓名": m["name"], "党支部": m["branch"]}
            if d.month == 3:
                daily.append(dict(rec, 当日积分=pts, 成长总积分=m["total"]))
            if d.weekday() == 4 or d in quarter_edges:
                sampled.append(dict(rec, 成长总积分=m["total"]))
    write_array(os.path.join(OUT, "gxfz-members-2021.json"), sampled,
                holder={"学校": "广西纺织工业学校", "说明": "每周五及每季度首末日的成长总积分"})
    write_lines(os.path.join(OUT, "gxfz-daily-2021-03.jsonl"), daily)


def wuhan(rng):
    branches = ["第一党支部", "第二党支部", "第三党支部"]
    used = set()
    members = [{"name": n, "branch": b, "rate": rng.uniform(15, 45), "total": rng.randint(800, 3000)}
               for b in branches for n in people(rng, 8, used)]
    recs = []
    for d in days(dt.date(2019, 3, 1), dt.date(2019, 12, 31)):
        for m in members:
            m["total"] += max(0, round(rng.gauss(m["rate"], 5)))
            if d.weekday() == 6 or d.day == 1 or (d + dt.timedelta(days=1)).day == 1:
                recs.append({"日期": d.isoformat(), "姓名": m["name"], "党支部": m["branch"],
                             "成长总积分": m["total"]})
    write_array(os.path.join(OUT, "whdj-members-2019.json"), recs)


def main():
    os.makedirs(OUT, exist_ok=True)
    units(random.Random(20201216))
    shnu(random.Random(20200904))
    gxfz(random.Random(20201231))
    wuhan(random.Random(2019))


if __name__ == "__main__":
    sys.exit(main())
