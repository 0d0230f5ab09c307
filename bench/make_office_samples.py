#!/usr/bin/env python3
"""Writes the sample exports under data/exports/office/ from the JSON ones, as
the learning platform's console and Excel hand them to an office:

units-2020-11.xlsx  the November 2020 units export (seed 000's table) as a
                    workbook: a sheet 说明 first, then 学习情况 with a title
                    row, a two-row header with merged cells, dates as serial
                    numbers, numbers as numbers (shared strings, openpyxl);
units-2020-12.csv   the December 2020 export re-saved by Excel on a Chinese
                    Windows: GBK, CRLF, the title row above the header.

The rule data/rules/xxqg-units-office.yaml reads them (its own folder, so
xxqg-units, which reads the JSON, does not count the same data twice).
Needs Debian's python3-openpyxl.
"""
import datetime as dt
import json
import os

import openpyxl
from openpyxl.styles import Alignment, Font

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
EXPORTS = os.path.join(ROOT, "data", "exports")
OUT = os.path.join(EXPORTS, "office")
KEYS = ["日期", "单位", "学员总数", "活跃学员数", "积分合计"]


def records(name):
    with open(os.path.join(EXPORTS, name), encoding="utf-8") as f:
        data = json.load(f)
    return data if isinstance(data, list) else next(v for v in data.values() if isinstance(v, list))


def write_xlsx(path, title, rows):
    wb = openpyxl.Workbook()
    notes = wb.active
    notes.title = "说明"
    notes["A1"] = "本文件由“学习强国”学习平台管理后台导出。"
    ws = wb.create_sheet("学习情况")
    ws.append([title])
    ws.merge_cells("A1:E1")
    ws["A1"].font = Font(bold=True, size=14)
    ws["A1"].alignment = Alignment(horizontal="center")
    ws.append(["日期", "单位", "学员情况", None, "积分合计"])
    ws.append([None, None, "学员总数", "活跃学员数", None])
    for ref in ("A2:A3", "B2:B3", "C2:D2", "E2:E3"):
        ws.merge_cells(ref)
    for r in rows:
        ws.append([dt.date.fromisoformat(r["日期"])] + [r[k] for k in KEYS[1:]])
        ws.cell(ws.max_row, 1).number_format = "yyyy/m/d"
    ws.column_dimensions["B"].width = 50
    wb.properties.created = dt.datetime(2020, 12, 1)
    wb.properties.modified = dt.datetime(2020, 12, 1)
    wb.save(path)


def write_csv(path, title, rows):
    def field(v):
        s = str(v)
        return '"' + s.replace('"', '""') + '"' if any(c in s for c in ',"\r\n') else s
    lines = [title + ",,,,", ",".join(KEYS)]
    for r in rows:
        d = dt.date.fromisoformat(r["日期"])
        lines.append(",".join([f"{d.year}/{d.month}/{d.day}"] + [field(r[k]) for k in KEYS[1:]]))
    with open(path, "wb") as f:
        f.write(("\r\n".join(lines) + "\r\n").encode("gbk"))


def main():
    os.makedirs(OUT, exist_ok=True)
    write_xlsx(os.path.join(OUT, "units-2020-11.xlsx"), "2020年11月各单位“学习强国”学习情况",
               records("units-2020-11.json"))
    write_csv(os.path.join(OUT, "units-2020-12.csv"), "2020年12月各单位“学习强国”学习情况",
              records("units-2020-12.json"))


if __name__ == "__main__":
    main()
