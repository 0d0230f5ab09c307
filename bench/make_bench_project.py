#!/usr/bin/env python3
"""Writes a bench project: N member-day records (JSON Lines) and a rule.

usage: make_bench_project.py DIR [RECORDS]   (default 1,000,000)
10,000 members in 200 branches, one record per member a day from
2021-01-01 on: 1,000,000 records are 100 days, 100,000 are 10 days.
"""
import datetime as dt
import os
import random
import sys

RULE = """id: bench
title: 基准测试：党员成长积分季度排名
exports: exports/members-*.jsonl
fields:
  date: 日期
  member: 姓名
  branch: 党支部
  points: 当日积分
  total: 成长总积分
entity: member
group: branch
period: quarter
metrics:
  - {id: total, label: 成长总积分, value: last(total), format: decimal:0}
  - {id: growth, label: 本期增长, value: last(total) - first(total), format: decimal:0}
  - {id: daily, label: 日均积分, value: mean(points), format: decimal:2}
  - {id: low_days, label: 不足20分天数, value: count(points < 20), format: decimal:0}
order: [growth desc, total desc]
lists:
  - {id: talk, label: 倒数后三名, bottom: 3}
  - {id: activists, label: 学习积极分子, where: growth >= 2500, per_group: false}
groups:
  metrics:
    - {id: avg_growth, label: 平均增长, value: mean(growth), format: decimal:1}
  order: [avg_growth desc]
  lists:
    - {id: best, label: 最佳组织奖, top: 1}
"""


def main():
    out = sys.argv[1]
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 1_000_000
    members = min(10_000, n)  # fixed, so that more records means more days
    days = (n + members - 1) // members
    rng = random.Random(42)
    os.makedirs(os.path.join(out, "data", "rules"), exist_ok=True)
    os.makedirs(os.path.join(out, "data", "exports"), exist_ok=True)
    with open(os.path.join(out, "bulletin.yaml"), "w", encoding="utf-8") as f:
        f.write("title: Bench\n")
    with open(os.path.join(out, "data", "rules", "bench.yaml"), "w", encoding="utf-8") as f:
        f.write(RULE)
    totals = [rng.randint(1000, 30000) for _ in range(members)]
    rates = [rng.uniform(10, 45) for _ in range(members)]
    start = dt.date(2021, 1, 1)
    written = 0
    with open(os.path.join(out, "data", "exports", "members-2021.jsonl"), "w", encoding="utf-8") as f:
        for d in range(days):
            date = (start + dt.timedelta(days=d)).isoformat()
            lines = []
            for m in range(members):
                if written == n:
                    break
                pts = max(0, int(rng.gauss(rates[m], 6)))
                totals[m] += pts
                lines.append('{"日期":"%s","姓名":"党员%05d","党支部":"第%03d党支部","当日积分":%d,"成长总积分":%d}\n'
                             % (date, m, m % 200, pts, totals[m]))
                written += 1
            f.writelines(lines)
    print(f"{written} records, {members} members, {days} days -> {out}")


if __name__ == "__main__":
    main()
