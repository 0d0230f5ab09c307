"""The benchmark's peer: the bench rule computed by a plain Python program
(json.loads per line, a dict per quarter and member), the way an office
script would do it. A .csv export is read with the csv module, a .xlsx one
with openpyxl in read-only mode (Debian's python3-openpyxl). Prints the
number of (quarter, member) rows."""
import json
import sys


def records(path):
    if path.endswith(".csv"):
        import csv
        with open(path, encoding="utf-8-sig", newline="") as f:
            for r in csv.DictReader(f):
                r["当日积分"] = int(r["当日积分"])
                r["成长总积分"] = int(r["成长总积分"])
                yield r
    elif path.endswith(".xlsx"):
        import openpyxl
        ws = openpyxl.load_workbook(path, read_only=True).worksheets[0]
        rows = ws.iter_rows(values_only=True)
        next(rows)  # the title row
        keys = next(rows)
        for values in rows:
            r = dict(zip(keys, values))
            r["日期"] = r["日期"].date().isoformat()
            yield r
    else:
        with open(path, encoding="utf-8") as f:
            for line in f:
                yield json.loads(line)


state = {}
for r in records(sys.argv[1]):
    d = r["日期"]
    key = (d[:4] + "-Q" + str((int(d[5:7]) - 1) // 3 + 1), r["党支部"], r["姓名"])
    total, points = r["成长总积分"], r["当日积分"]
    s = state.get(key)
    if s is None:
        state[key] = [d, total, d, total, points, 1, 1 if points < 20 else 0]
    else:
        if d < s[0]:
            s[0], s[1] = d, total
        if d >= s[2]:
            s[2], s[3] = d, total
        s[4] += points
        s[5] += 1
        s[6] += 1 if points < 20 else 0
rows = {k: (s[3], s[3] - s[1], s[4] / s[5], s[6]) for k, s in state.items()}
print(len(rows))
