"""The benchmark's peer: the bench rule computed by a plain Python program
(json.loads per line, a dict per quarter and member), the way an office
script would do it. Prints the number of (quarter, member) rows."""
import json
import sys

state = {}
with open(sys.argv[1], encoding="utf-8") as f:
    for line in f:
        r = json.loads(line)
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
