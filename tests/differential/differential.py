#!/usr/bin/python3
"""Differential judge for bulletin's ranking pages (docs/rules.md).

From a seed it writes a bulletin project with random rule files and exports,
computes the expected result of every rule and period exactly (fractions) from
the rules as docs/rules.md states them, never from bulletin's output, runs
`bulletin build`, and compares index.json, index.csv and index.html of every
period: periods, start/end, complete/as_of, record counts, skipped records
(count, reasons, examples, first 20), every row's rank, overall rank, group,
records, value/exact/text of every metric, list entries, ranks, parts and
ties_extended, and group rows and group lists.

  differential.py BULLETIN [--seeds 1-40] [--random N] [--keep DIR] [-v]

A mismatch prints the seed, the rule, the period, the place and both values;
the exit status is 1 when any check failed. Standard library only.
"""
import argparse
import bisect
import csv
import datetime as dt
import html
import html.parser
import io
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
from fractions import Fraction as F

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE = os.path.dirname(os.path.dirname(HERE))
UNDEF = None
BIG = False  # --big
WS = ' \t\r\n'  # the spaces trimmed around dates, names and numbers

# ---------------------------------------------------------------- expressions
# A node is a tuple: ('num', text) ('name', n) ('neg', e) ('bin', op, l, r)
# ('agg', fn, arg-or-None).
PREC = {'or': 1, 'and': 2, '>=': 3, '>': 3, '<=': 3, '<': 3, '==': 3, '!=': 3, '+': 4, '-': 4, '*': 5, '/': 5}
CMP = ('>=', '>', '<=', '<', '==', '!=')


def show(e, rng=None):
    """Expression text with the parentheses precedence needs (and, with rng, a few more)."""
    def prec(x):
        return PREC[x[1]] if x[0] == 'bin' else 9

    def wrap(x, need):
        t = show(x, rng)
        if need or (rng is not None and x[0] == 'bin' and rng.random() < 0.15):
            return '(' + t + ')'
        return t

    k = e[0]
    if k == 'num':
        return e[1]
    if k == 'name':
        return e[1]
    if k == 'neg':
        return '-' + wrap(e[1], e[1][0] in ('bin', 'neg'))
    if k == 'agg':
        return e[1] + '(' + ('' if e[2] is None else show(e[2], rng)) + ')'
    op, l, r = e[1], e[2], e[3]
    p = PREC[op]
    if op in CMP:  # not chained: an operand that is a comparison needs parentheses
        lneed, rneed = prec(l) <= p, prec(r) <= p
    else:
        lneed, rneed = prec(l) < p, prec(r) <= p
    return wrap(l, lneed) + ' ' + op + ' ' + wrap(r, rneed)


class DivZero(Exception):
    def __init__(self, divisor):
        self.divisor = divisor


def ev(e, env, in_agg):
    """Value of e; names from env. Inside an aggregate a division by zero raises
    DivZero; outside it gives undefined (None), which + - * / and unary - pass
    on; a comparison with an undefined side is 0, and `and`/`or` read undefined
    as false (what bulletin does; docs/rules.md states it)."""
    k = e[0]
    if k == 'num':
        return F(e[1])
    if k == 'name':
        return env[e[1]]
    if k == 'neg':
        v = ev(e[1], env, in_agg)
        return None if v is None else -v
    if k == 'agg':
        return env[('agg', id(e))]
    op = e[1]
    a = ev(e[2], env, in_agg)
    truthy = lambda x: x is not None and x != 0
    if op == 'and' and not truthy(a):  # undefined counts as false; and/or stop early
        return F(0)
    if op == 'or' and truthy(a):
        return F(1)
    b = ev(e[3], env, in_agg)
    if op in ('and', 'or'):
        return F(int(truthy(b)))
    if op in CMP and (a is None or b is None):  # a comparison with an undefined side is false
        return F(0)
    if a is None or b is None:
        return None
    if op == '+':
        return a + b
    if op == '-':
        return a - b
    if op == '*':
        return a * b
    if op == '/':
        if b == 0:
            if in_agg:
                raise DivZero(e[3])
            return None
        return a / b
    return F(int({'>=': a >= b, '>': a > b, '<=': a <= b, '<': a < b, '==': a == b, '!=': a != b}[op]))


def aggs_of(e, out):
    if e[0] == 'agg':
        out.append(e)
    elif e[0] == 'neg':
        aggs_of(e[1], out)
    elif e[0] == 'bin':
        aggs_of(e[2], out)
        aggs_of(e[3], out)
    return out


# ---------------------------------------------------------------- numbers and text
def exact_text(v):
    if v is None:
        return None
    d = v.denominator
    while d % 2 == 0:
        d //= 2
    while d % 5 == 0:
        d //= 5
    if d != 1:
        return '%d/%d' % (v.numerator, v.denominator)
    places = 0
    while (v * 10 ** places).denominator != 1:
        places += 1
    n = v * 10 ** places
    n = n.numerator
    s = str(abs(n)).rjust(places + 1, '0')
    body = s if places == 0 else s[:-places] + '.' + s[-places:]
    return ('-' if n < 0 else '') + body


def round_half_away(v, places):
    x = abs(v) * 10 ** places
    q = x.numerator // x.denominator
    if x - q >= F(1, 2):
        q += 1
    return q if v >= 0 else -q


def fmt_text(v, fmt):
    if v is None:
        return '—'
    kind, places = fmt
    if kind == 'percent':
        v = v * 100
    q = round_half_away(v, places)
    s = str(abs(q)).rjust(places + 1, '0')
    body = s if places == 0 else s[:-places] + '.' + s[-places:]
    return ('-' if q < 0 else '') + body + ('%' if kind == 'percent' else '')


def parse_format(spec):
    if spec is None:
        return ('decimal', 2)
    if spec == 'integer':
        return ('decimal', 0)
    if ':' in spec:
        k, n = spec.split(':')
        return (k, int(n))
    return (spec, 2)


NUMBER_RE = re.compile(r'^[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?$', re.ASCII)


def parse_number(text):
    t = text.strip(' \t\r\n')
    if not NUMBER_RE.match(t):
        return None
    return F(t.replace('E', 'e')) if 'e' not in t.lower() else F(t.lower())


def parse_date(text):
    t = text.strip(WS)
    m = re.match(r"^(\d{4})[-/](\d{1,2})[-/](\d{1,2})$", t, re.ASCII) or re.match(r"^(\d{4})年(\d{1,2})月(\d{1,2})日$", t, re.ASCII)
    if not m:
        return None
    try:
        return dt.date(int(m[1]), int(m[2]), int(m[3]))
    except ValueError:
        return None


# ---------------------------------------------------------------- periods
def period_of(kind, d):
    if kind == 'day':
        return d.isoformat(), d, d
    if kind == 'week':
        y, w, wd = d.isocalendar()
        start = d - dt.timedelta(days=wd - 1)
        return '%d-W%02d' % (y, w), start, start + dt.timedelta(days=6)
    if kind == 'month':
        start = d.replace(day=1)
        nxt = (start + dt.timedelta(days=32)).replace(day=1)
        return '%d-%02d' % (d.year, d.month), start, nxt - dt.timedelta(days=1)
    if kind == 'quarter':
        q = (d.month - 1) // 3
        start = dt.date(d.year, 3 * q + 1, 1)
        end = dt.date(d.year + 1, 1, 1) if q == 3 else dt.date(d.year, 3 * q + 4, 1)
        return '%d-Q%d' % (d.year, q + 1), start, end - dt.timedelta(days=1)
    if kind == 'half':
        h = (d.month - 1) // 6
        start = dt.date(d.year, 6 * h + 1, 1)
        end = dt.date(d.year + 1, 1, 1) if h == 1 else dt.date(d.year, 7, 1)
        return '%d-H%d' % (d.year, h + 1), start, end - dt.timedelta(days=1)
    return str(d.year), dt.date(d.year, 1, 1), dt.date(d.year, 12, 31)


def cp_key(s):
    return s.encode('utf-8')


# ---------------------------------------------------------------- random project
ENTITY_POOL = ['a,"b"', '<x&y>', "c'd", '丙', '乙', '甲', 'A', 'a', '=SUM(A1)', '-负', '@at', '+加', ' 空格 ',
               '中共上海出版印刷高等专科学校委员会', 'x</td>y', '&amp;', 'Z"', '"q",r', '第10名', '第9名', 'é', 'e\u0301', '空格',
               'a/b', '..', '\u3000全角空格', 'tab\there']
GROUP_POOL = ['支,1', '<支2>', '第010党支部', '第2党支部', '"引"组', '=g', 'G&H', '乙支部']
FIELD_POOL = [('a', '甲'), ('b', '乙'), ('pts', '积分 合计'), ('分数', 'score'), ('c_2', 'C,2'), ('members', '学员总数')]
WINDOWS = [(dt.date(2020, 12, 24), 14), (dt.date(2021, 12, 26), 10), (dt.date(2019, 12, 28), 8),
           (dt.date(2021, 6, 27), 7), (dt.date(2020, 3, 29), 5), (dt.date(2021, 2, 26), 5), (dt.date(2020, 9, 28), 5),
           (dt.date(2026, 12, 27), 7), (dt.date(2020, 2, 27), 4)]
ZH = {'id': '代号', 'title': '标题', 'description': '说明', 'exports': '数据', 'fields': '字段', 'entity': '排名对象',
      'group': '分组', 'period': '周期', 'metrics': '指标', 'order': '排序', 'lists': '名单', 'groups': '分组排名',
      'bad_records': '异常记录', 'rank_label': '排名列名', 'label': '名称', 'value': '公式', 'format': '格式',
      'top': '前几名', 'bottom': '后几名', 'where': '条件', 'per_group': '每组'}


def yq(s):
    return json.dumps(s, ensure_ascii=False)


class Rule:
    pass


def gen_expr_arg(rng, fields, depth=0):
    """An aggregate's argument over number fields."""
    f = lambda: ('name', rng.choice(fields))
    r = rng.random()
    if depth > 1 or r < 0.35:
        return f()
    if r < 0.5:
        return ('bin', '/', f(), f())
    if r < 0.62:
        return ('bin', rng.choice('+-*'), gen_expr_arg(rng, fields, depth + 1), gen_expr_arg(rng, fields, depth + 1))
    if r < 0.72:
        return ('bin', rng.choice(CMP), f(), ('num', rng.choice(['0', '0.5', '1', '0.035', '20'])))
    if r < 0.8:
        return ('neg', f())
    if r < 0.9:
        return ('bin', '*', f(), ('num', rng.choice(['100', '0.5', '3', '0.1'])))
    return ('bin', '/', ('bin', rng.choice('+-'), f(), f()), f())


def gen_agg(rng, fields):
    fn = rng.choice(['sum', 'mean', 'mean', 'min', 'max', 'count', 'first', 'last'])
    if fn == 'count' and rng.random() < 0.4:
        return ('agg', 'count', None)
    return ('agg', fn, gen_expr_arg(rng, fields))


def gen_metric_value(rng, fields, above):
    r = rng.random()
    if r < 0.45 or not above and r < 0.7:
        return gen_agg(rng, fields)
    if r < 0.7:
        return ('bin', rng.choice('+-/*'), gen_agg(rng, fields), gen_agg(rng, fields))
    if not above:
        return ('bin', '/', ('agg', 'sum', ('name', rng.choice(fields))), ('agg', 'sum', ('name', rng.choice(fields))))
    m = lambda: ('name', rng.choice(above))
    r = rng.random()
    if r < 0.3:
        return ('bin', '/', m(), ('num', rng.choice(['90', '3', '0.7', '7'])))
    if r < 0.5:
        return ('bin', rng.choice('+-*/'), m(), m())
    if r < 0.65:
        return ('bin', rng.choice(CMP), m(), ('num', rng.choice(['0', '0.035', '1'])))
    if r < 0.75:
        return ('neg', m())
    if r < 0.85:
        return ('bin', rng.choice(['and', 'or']), ('bin', '>', m(), ('num', '0')), ('bin', '<=', m(), ('num', '1')))
    return ('bin', '-', ('agg', 'last', ('name', rng.choice(fields))), ('agg', 'first', ('name', rng.choice(fields))))


FORMATS = ['decimal:2', 'decimal:1', 'decimal:0', 'decimal:3', 'percent:0', 'percent:1', 'percent:2', 'percent',
           'decimal', 'integer', None]


def gen_where(rng, ids):
    m = lambda: ('name', rng.choice(ids))
    c = lambda: ('num', rng.choice(['0', '0.035', '0.5', '1', '2', '0.1']))
    r = rng.random()
    if r < 0.12:  # and/or mixed without parentheses: and binds tighter
        cmp = lambda: ('bin', rng.choice(CMP), m(), c())
        return ('bin', 'or', ('bin', 'and', cmp(), cmp()), cmp()) if rng.random() < 0.5 else \
            ('bin', 'or', cmp(), ('bin', 'and', cmp(), cmp()))
    if r < 0.22:  # arithmetic on both sides
        return ('bin', rng.choice(CMP), ('bin', rng.choice('+-*/'), m(), c()), ('bin', rng.choice('+-'), m(), ('neg', c())))
    if r < 0.6:
        return ('bin', rng.choice(CMP), m(), c())
    if r < 0.8:
        return ('bin', rng.choice(['and', 'or']), ('bin', rng.choice(CMP), m(), c()), ('bin', rng.choice(CMP), m(), c()))
    return m()


def gen_list(rng, ids, lid, grouped, in_groups):
    L = {'id': lid, 'label': rng.choice([None, '名单' + lid, '积分排名倒数后三名（谈话教育）', 'A&B <list>'])}
    r = rng.random()
    L['top'] = L['bottom'] = None
    if r < 0.4:
        L['top'] = rng.randint(1, 4)
    elif r < 0.8:
        L['bottom'] = rng.randint(1, 4)
    L['where'] = gen_where(rng, ids) if (r >= 0.8 or rng.random() < 0.35) else None
    L['per_group'] = None
    if grouped and not in_groups and rng.random() < 0.7:
        L['per_group'] = rng.random() < 0.5
    return L


def gen_rule(rng, idx):
    R = Rule()
    R.id = 'r%d' % idx
    R.title = rng.choice(['排名 %d' % idx, '“学习强国”<学习>情况 & %d' % idx])
    R.zh = rng.random() < 0.3
    R.period = 'day' if BIG else rng.choice(['day', 'week', 'month', 'quarter', 'half', 'year', 'week', 'quarter'])
    nf = rng.randint(1, 4)
    fl = rng.sample(FIELD_POOL, nf)
    R.num_fields = [c for c, _ in fl]
    R.keys = dict(fl)
    R.keys['date'] = rng.choice(['日期', 'date'])
    R.entity_name = rng.choice(['unit', 'member', '单位名'])
    R.keys[R.entity_name] = rng.choice(['单位', '姓名'])
    R.grouped = rng.random() < 0.55
    if R.grouped:
        R.group_name = 'branch'
        R.keys['branch'] = '党支部'
    R.unused = None
    if rng.random() < 0.2:
        R.unused = 'extra'
        R.keys['extra'] = '附加'
        R.num_fields.append('extra')
    R.metrics = []
    ids = []
    for k in range(rng.randint(1, 4)):
        mid = rng.choice(['m%d' % k, '指标%d' % k])
        value = gen_metric_value(rng, [f for f in R.num_fields if f != 'extra'] or R.num_fields, ids)
        R.metrics.append({'id': mid, 'label': rng.choice([None, '标签%d' % k, '=L%d' % k, 'x,"y"%d' % k]),
                          'value': value, 'text': show(value, rng), 'format': rng.choice(FORMATS)})
        ids.append(mid)
    R.order = None
    if rng.random() < 0.7:
        R.order = [(m, rng.choice(['asc', 'desc'])) for m in rng.sample(ids, rng.randint(1, min(2, len(ids))))]
    R.lists = [gen_list(rng, ids, 'l%d' % k, R.grouped, False) for k in range(rng.randint(0, 3))]
    R.groups = None
    if R.grouped and rng.random() < 0.7:
        G = {'metrics': [], 'order': None, 'lists': []}
        gids = []
        for k in range(rng.randint(1, 3)):
            gid = 'g%d' % k
            r = rng.random()
            m = ('name', rng.choice(ids))
            if r < 0.65:
                fn = rng.choice(['sum', 'mean', 'min', 'max', 'count', 'mean'])
                if fn == 'count' and rng.random() < 0.5:
                    v = ('agg', 'count', None)
                elif fn == 'count':
                    v = ('agg', 'count', ('bin', rng.choice(CMP), m, ('num', rng.choice(['0', '0.5']))))
                else:
                    r2 = rng.random()
                    v = ('agg', fn, m if r2 < 0.6 else ('bin', '*', m, ('num', '2')) if r2 < 0.8 else
                         ('bin', rng.choice(CMP), m, ('num', rng.choice(['0', '0.5']))))
            elif r < 0.85 or not gids:
                v = ('bin', '/', ('agg', 'sum', m), ('agg', 'count', None))
            else:
                v = ('bin', rng.choice('+-/'), ('name', rng.choice(gids)), ('num', rng.choice(['2', '3'])))
            G['metrics'].append({'id': gid, 'label': rng.choice([None, '组%d' % k]), 'value': v, 'text': show(v, rng),
                                 'format': rng.choice(FORMATS)})
            gids.append(gid)
        if rng.random() < 0.7:
            G['order'] = [(g, rng.choice(['asc', 'desc'])) for g in rng.sample(gids, rng.randint(1, min(2, len(gids))))]
        G['lists'] = [gen_list(rng, gids, 'gl%d' % k, True, True) for k in range(rng.randint(0, 2))]
        R.groups = G
    R.skip = rng.random() < 0.85
    R.rank_label = rng.choice([None, '名次', '=rank'])
    R.id_from_file = rng.random() < 0.3
    R.one_glob = rng.random() < 0.3
    R.description = rng.choice([None, None, '说明：<b>&</b> "引号"'])
    return R


def rule_yaml(R):
    k = (lambda s: ZH.get(s, s)) if R.zh else (lambda s: s)
    out = ['%s: %s' % (k('title'), yq(R.title))]
    if not R.id_from_file:  # else the file name gives it
        out.insert(0, '%s: %s' % (k('id'), R.id))
    if R.description is not None:
        out.append('%s: %s' % (k('description'), yq(R.description)))
    if R.one_glob:
        out.append('%s: exports/%s/*' % (k('exports'), R.id))
    else:
        out.append('%s: [%s]' % (k('exports'), ', '.join('exports/%s/*.%s' % (R.id, e) for e in ('json', 'jsonl', 'csv'))))
    out.append(k('fields') + ':')
    for c, key in R.keys.items():
        out.append('  %s: %s' % (c, yq(key)))
    out.append('%s: %s' % (k('entity'), R.entity_name))
    if R.grouped:
        out.append('%s: %s' % (k('group'), R.group_name))
    out.append('%s: %s' % (k('period'), R.period))

    def metrics(ms, indent):
        lines = []
        for m in ms:
            lines.append(indent + '- %s: %s' % (k('id'), m['id']))
            if m['label'] is not None:
                lines.append(indent + '  %s: %s' % (k('label'), yq(m['label'])))
            lines.append(indent + '  %s: %s' % (k('value'), yq(m['text'])))
            if m['format'] is not None:
                lines.append(indent + '  %s: %s' % (k('format'), m['format']))
        return lines

    def lists(ls, indent):
        lines = []
        for L in ls:
            lines.append(indent + '- %s: %s' % (k('id'), L['id']))
            if L['label'] is not None:
                lines.append(indent + '  %s: %s' % (k('label'), yq(L['label'])))
            for key in ('top', 'bottom'):
                if L[key] is not None:
                    lines.append(indent + '  %s: %d' % (k(key), L[key]))
            if L['where'] is not None:
                L['where_text'] = show(L['where'])
                lines.append(indent + '  %s: %s' % (k('where'), yq(L['where_text'])))
            if L['per_group'] is not None:
                lines.append(indent + '  %s: %s' % (k('per_group'), 'true' if L['per_group'] else 'false'))
        return lines

    out.append(k('metrics') + ':')
    out += metrics(R.metrics, '  ')
    if R.order:
        out.append('%s: [%s]' % (k('order'), ', '.join('%s %s' % o for o in R.order)))
    if R.lists:
        out.append(k('lists') + ':')
        out += lists(R.lists, '  ')
    if R.groups:
        out.append(k('groups') + ':')
        out.append('  ' + k('metrics') + ':')
        out += metrics(R.groups['metrics'], '    ')
        if R.groups['order']:
            out.append('  %s: [%s]' % (k('order'), ', '.join('%s %s' % o for o in R.groups['order'])))
        if R.groups['lists']:
            out.append('  ' + k('lists') + ':')
            out += lists(R.groups['lists'], '    ')
    if R.skip:
        out.append('%s: skip' % k('bad_records'))
    if R.rank_label is not None:
        out.append('%s: %s' % (k('rank_label'), yq(R.rank_label)))
    return '\n'.join(out) + '\n'


def gen_value(rng):
    """(exact value, how it is written in JSON): numbers near .xx5 boundaries."""
    scale = rng.choice([100, 1000, 1000, 10, 1, 10000])
    n = rng.randint(-30, 120) if rng.random() < 0.8 else rng.randint(-3000, 3000)
    if rng.random() < 0.25:
        n = rng.choice([0, 5, 35, 125, -125, 2675, 9995, -4, -5, 1005, 1015, 45, -45])
    v = F(n, scale)
    if rng.random() < 0.04:  # digits past a double's, and magnitudes far from 1
        v = rng.choice([F('0.1000000000000000055511151231257827'), F('12345678901234567891'), F('-1e-7'),
                        F('2.5e20'), F('0.30000000000000001'), F(1, 10 ** 12), F('-9007199254740993')])
    t = exact_text(v)
    r = rng.random()
    if r < 0.45:
        return v, t
    if r < 0.7:
        return v, '"%s"' % t
    if r < 0.8:
        e = rng.randint(-2, 2)
        mant = v * F(10) ** -e
        return v, ('"%se%+d"' if rng.random() < 0.5 else '%sE%d') % (exact_text(mant), e) if '/' not in exact_text(mant) else t
    if r < 0.87:
        return v, '" %s "' % t
    if r < 0.92 and v >= 0:
        return v, '"+%s0"' % t if '.' in t else '"+%s"' % t
    if r < 0.96 and '.' in t and t.startswith('0.'):
        return v, '"%s"' % t[1:]
    if '.' not in t:
        return v, '"%s."' % t
    return v, t


BAD_NUMBERS = ['"NaN"', '"inf"', '"-nan"', '"Infinity"', '"0x10"', '"1,000"', '"12%"', '""', 'true', 'null',
               '"1e999"', '"九十"', '{}', '[1]', '"1e-400"', '2e-999', '"+-1"', '"1e"', '"1.2.3"', '"٣"', '"\u30001"', '"1\u3000"', '1E400', '"0x1p3"', '"1_000"']


def gen_data(rng, R, files_out):
    """Records for rule R: list of files (name, kind, records) where each record
    is a list of (key, json text) pairs; also returns the intended entities."""
    ents = rng.sample(ENTITY_POOL, rng.randint(2, 8))
    if BIG:  # past the 32,768 (period, entity) rows that make bulletin spill to a file
        ents += ['单位%04d' % i for i in range(1100)]
    groups = rng.sample(GROUP_POOL, rng.randint(1, 3)) if R.grouped else []
    ent_group = {e: rng.choice(groups) for e in ents} if R.grouped else {}
    # entities whose names differ only by the spaces trimmed must share a group
    if R.grouped:
        for e in ents:
            for e2 in ents:
                if e.strip(WS) == e2.strip(WS):
                    ent_group[e2] = ent_group[e]
    start, span = rng.choice(WINDOWS)
    if R.period in ('half', 'year') and rng.random() < 0.5:
        start, span = dt.date(start.year, 6, 20), 200
    dates = [start + dt.timedelta(days=rng.randint(0, span)) for _ in range(rng.randint(2, 6))]
    nrec = rng.randint(4, 40)
    if BIG:
        dates = [start + dt.timedelta(days=i) for i in range(40)]
        nrec = 60000
    recs = []
    shared = [gen_value(rng) for _ in range(4)]  # repeated values make ties
    for _ in range(nrec):
        e = rng.choice(ents)
        d = rng.choice(dates)
        form = rng.random()
        ds = d.isoformat() if form < 0.6 else (
            '%d-%d-%d' % (d.year, d.month, d.day) if form < 0.75 else
            (d.strftime('%Y/%m/%d') if form < 0.83 else '%d/%d/%d' % (d.year, d.month, d.day) if form < 0.87 else
             '%d年%d月%d日' % (d.year, d.month, d.day) if form < 0.95 else d.strftime('%Y年%m月%d日')))
        rec = [(R.keys['date'], yq(ds if rng.random() < 0.9 else ' %s ' % ds)), (R.keys[R.entity_name], yq(e))]
        if R.grouped:
            rec.append((R.keys['branch'], yq(ent_group[e])))
        for f in R.num_fields:
            v, t = rng.choice(shared) if rng.random() < 0.4 else gen_value(rng)
            if rng.random() < 0.12:
                t = '0'
            rec.append((R.keys[f], t))
        if rng.random() < 0.1:
            rec.append(('备注', yq('长' * rng.randint(10, 200))))
        if rng.random() < 0.08:  # other keys are ignored, whatever they hold
            rec.append(('附注', rng.choice(['{"x": [1, {"y": "<&>"}]}', '[1, 2, [3]]', 'null', 'true', '"NaN"'])))
        rng.shuffle(rec)
        if rng.random() < (0.15 if R.skip else 0.01):
            kind = rng.random()
            i = rng.randrange(len(rec))
            if kind < 0.25:
                del rec[i]
            elif kind < 0.55:
                nf = [j for j, (kk, _) in enumerate(rec) if kk in [R.keys[f] for f in R.num_fields]]
                if nf:
                    j = rng.choice(nf)
                    rec[j] = (rec[j][0], rng.choice(BAD_NUMBERS))
            elif kind < 0.7:
                j = [j for j, (kk, _) in enumerate(rec) if kk == R.keys['date']][0]
                rec[j] = (rec[j][0], yq(rng.choice(['2021-02-29', '2020-04-31', '2020-13-01', '2020-11-31', 'x'])))
            elif kind < 0.8:
                key = R.keys['branch'] if R.grouped and rng.random() < 0.4 else R.keys[R.entity_name]
                j = [j for j, (kk, _) in enumerate(rec) if kk == key][0]
                rec[j] = (rec[j][0], yq(rng.choice(['', '  '])))
            else:
                nf = [j for j, (kk, _) in enumerate(rec) if kk in [R.keys[f] for f in R.num_fields]]
                if nf:
                    j = rng.choice(nf)
                    rec[j] = (rec[j][0], rng.choice(['0', '"0"', '0.0', '-0']))
        recs.append(rec)
    if R.skip and rng.random() < 0.15:  # a period that holds only a skipped record
        far = dt.date(2030, 1, 1) + dt.timedelta(days=rng.randint(0, 400))
        recs.append([(R.keys['date'], yq(far.isoformat())), (R.keys[R.entity_name], yq(ents[0]))] +
                    ([(R.keys['branch'], yq(ent_group[ents[0]]))] if R.grouped else []) +
                    [(R.keys[f], '"n/a"') for f in R.num_fields])
    # files: json array, {"data": [...]}, jsonl; csv only when every record is complete
    nfiles = rng.randint(1, 3)
    chunks = [[] for _ in range(nfiles)]
    for r in recs:
        chunks[rng.randrange(nfiles)].append(r)
    for k, chunk in enumerate(chunks):
        kind = rng.choice(['json', 'wrap', 'jsonl', 'jsonl', 'csv'])
        # names whose byte order differs from a dictionary's: B before a, a-10 before a-9
        name = ['a-9', 'B', 'a-10', '数据', 'a', 'Z_'][k] + ('-' + kind if rng.random() < 0.5 else '')
        files_out.append(('exports/%s/%s.%s' % (R.id, name, {'wrap': 'json'}.get(kind, kind)), kind, chunk))


def write_file_records(path, kind, chunk, R, rng):
    """Writes the file; returns [(record json text, line, col, index)] per record (None for csv)."""
    placed = []
    lines = []
    if kind in ('json', 'wrap'):
        if kind == 'wrap':
            lines.append('{"导出时间": "2021-01-01 08:00", "共计": 3, "data": [')
        else:
            lines.append('[')
        if R.skip and rng.random() < 0.3:
            chunk.insert(rng.randint(0, len(chunk)), rng.choice(['42', '"记录"', 'null', 'true']))
        for i, rec in enumerate(chunk):
            text = rec if isinstance(rec, str) else '{' + ', '.join('%s: %s' % (yq(k), v) for k, v in rec) + '}'
            indent = ' ' * rng.randint(0, 4)
            lines.append(indent + text + (',' if i + 1 < len(chunk) else ''))
            placed.append((text, len(lines), len(indent) + 1, i + 1))
        lines.append(']}' if kind == 'wrap' else ']')
    elif kind == 'jsonl':
        for i, rec in enumerate(chunk):
            while rng.random() < 0.15:
                lines.append('')
            text = '{' + ', '.join('%s: %s' % (yq(k), v) for k, v in rec) + '}'
            indent = ' ' * rng.randint(0, 2)
            lines.append(indent + text)
            placed.append((text, len(lines), len(indent) + 1, i + 1))
    else:
        keys = [R.keys['date'], R.keys[R.entity_name]] + ([R.keys['branch']] if R.grouped else []) + \
            [R.keys[f] for f in R.num_fields]
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator='\r\n')
        w.writerow(keys)
        good = []
        for rec in chunk:
            if isinstance(rec, str):
                continue
            d = dict(rec)
            if any(k not in d for k in keys):
                continue
            row = []
            for k in keys:
                v = json.loads(d[k]) if not d[k].startswith(('{', '[')) else None
                if not isinstance(v, (str, int, float)) or isinstance(v, bool):
                    row = None
                    break
                row.append(d[k].strip('"') if not isinstance(v, str) else v)
            if row is None or any(c.strip(WS) == '' for c in row):
                continue
            nums = [parse_number(c) for c in row[len(keys) - len(R.num_fields):]]
            if any(v is None or abs(v) > 10 ** 300 or (v != 0 and abs(v) < F(1, 10 ** 300)) for v in nums):
                continue
            if parse_date(row[0]) is None:
                continue
            w.writerow(row)
            good.append(rec)
        chunk[:] = good
        with open(path, 'w', encoding='utf-8', newline='') as f:
            f.write(buf.getvalue())
        return [None] * len(good)
    eol = '\r\n' if rng.random() < 0.25 else '\n'  # exports made on Windows
    with open(path, 'w', encoding='utf-8', newline='') as f:
        f.write(eol.join(lines) + eol)
    return placed


# ---------------------------------------------------------------- the model (docs/rules.md)
class Bad:
    def __init__(self, file, line, col, index, text, reason, prefixes=None, date=None):
        self.file, self.line, self.col, self.index, self.text = file, line, col, index, text
        self.reason = reason            # exact expected reason, or None
        self.prefixes = prefixes or []  # else: one of these must start it
        self.date = date


def record_text(text):
    b = text.strip(WS).encode('utf-8')
    if len(b) <= 400:
        return b.decode('utf-8')
    n = 400
    while n > 0 and (b[n] & 0xC0) == 0x80:
        n -= 1
    return b[:n].decode('utf-8') + '…'


def shown(raw):
    kind, t = raw
    return '"%s"' % t if kind == 'str' else t


def read_raw(text):
    """JSON record → {key: ('str'|'num'|'other', text)} keeping numbers as written."""
    obj = json.loads(text, parse_float=lambda s: ('num', s), parse_int=lambda s: ('num', s),
                     parse_constant=lambda s: ('num', s))
    out = {}
    for k, v in obj.items():
        if isinstance(v, tuple):
            out[k] = v
        elif isinstance(v, str):
            out[k] = ('str', v)
        else:
            out[k] = ('other', json.dumps(v))
    return out


def model_rule(R, records):
    """records: [(file, line, col, index, text, raw dict)] in read order.
    Returns {period id: expected period}, list of undated bad records."""
    goods, bads = [], []
    arg_terms = []
    for m in R.metrics:
        for a in aggs_of(m['value'], []):
            if a[2] is not None:
                arg_terms.append(a)
    key_of = R.keys
    for file, line, col, index, text, raw in records:
        def bad(reason=None, prefixes=None, date=None):
            bads.append(Bad(file, line, col, index, record_text(text) if text else None, reason, prefixes, date))
        if raw is None:
            bad('is not an object')
            continue
        dk = key_of['date']
        if dk not in raw:
            bad("field '%s' is missing" % dk)
            continue
        d = parse_date(raw[dk][1]) if raw[dk][0] == 'str' else None
        if d is None:
            base = "field '%s' is not a date: %s" % (dk, shown(raw[dk]))
            m = re.match(r'^\s*(\d{4})-(\d{1,2})-(\d{1,2})\s*$', raw[dk][1]) if raw[dk][0] == 'str' else None
            if m and 1 <= int(m[2]) <= 12:
                bad(base + ' (%d年%d月 has no day %d)' % (int(m[1]), int(m[2]), int(m[3])))
            else:
                bad(None, [base])
            continue
        missing = [k for k in key_of.values() if k not in raw]
        if missing:
            bad("field '%s' is missing" % missing[0], date=d)
            continue
        ek = key_of[R.entity_name]
        if raw[ek][0] != 'str' or raw[ek][1].strip(WS) == '':
            bad(None, ["field '%s' is empty" % ek], date=d)
            continue
        if R.grouped and (raw[key_of['branch']][0] != 'str' or raw[key_of['branch']][1].strip(WS) == ''):
            bad(None, ["field '%s' is empty" % key_of['branch']], date=d)
            continue
        vals = {}
        why = None
        for f in R.num_fields:
            k = key_of[f]
            kind, t = raw[k]
            v = parse_number(t) if kind in ('str', 'num') else None
            if v is not None and abs(v) > F(1.7976931348623157e308):
                why = "field '%s' is not a number: %s (it is too large)" % (k, shown(raw[k]))
                break
            if v is not None and v != 0 and abs(v) < F(1, 10 ** 330):
                why = "field '%s' is not a number: %s (it is too small)" % (k, shown(raw[k]))
                break
            if v is None:
                why = ("field '%s' is not a number: %s" % (k, shown(raw[k]))) if kind != 'other' else None
                if why is None:
                    bad(None, ["field '%s' is not a number: " % k], date=d)
                break
            vals[f] = v
        if len(vals) != len(R.num_fields):
            if why:
                bad(why, date=d)
            continue
        divs = []
        for a in arg_terms:
            try:
                ev(a[2], vals, True)
            except DivZero as z:
                divs.append("field '%s' is 0, and '" % key_of[z.divisor[1]])
        if divs:
            bad(None, divs, date=d)
            continue
        group = raw[key_of['branch']][1].strip(WS) if R.grouped else None
        goods.append((d, raw[ek][1].strip(WS), group, vals))

    periods = {}

    def P(d):
        pid, s, e = period_of(R.period, d)
        if pid not in periods:
            periods[pid] = {'id': pid, 'start': s, 'end': e, 'goods': [], 'bads': []}
        return periods[pid]

    for g in goods:
        P(g[0])['goods'].append(g)
    undated = []
    for b in bads:
        (P(b.date)['bads'] if b.date else undated).append(b)
    for p in periods.values():
        compute_period(R, p)
    R.all_bads = bads
    return periods, undated


def agg_value(fn, xs):
    """xs: [(date, value)] in read order."""
    if fn == 'count':
        return F(sum(1 for _, x in xs if x != 0))
    vs = [x for _, x in xs]
    if fn == 'sum':
        return sum(vs, F(0))
    if fn == 'mean':
        return sum(vs, F(0)) / len(vs)
    if fn == 'min':
        return min(vs)
    if fn == 'max':
        return max(vs)
    if fn == 'first':
        best = min(d for d, _ in xs)
        return [x for d, x in xs if d == best][0]
    best = max(d for d, _ in xs)
    return [x for d, x in xs if d == best][-1]


def eval_metrics(metrics, agg_env_fn):
    env = {}
    out = []
    for m in metrics:
        for a in aggs_of(m['value'], []):
            env[('agg', id(a))] = agg_env_fn(a)
        v = ev(m['value'], env, False)
        env[m['id']] = v
        out.append(v)
    return out


def sort_key(values, order, name):
    key = []
    for idx, direction in order:
        v = values[idx]
        key.append((1, 0) if v is None else (0, -v if direction == 'desc' else v))
    return key, cp_key(name)


def competition(items, order):
    """items: [(name, values)] → ranks by the order keys (1 + rows strictly better)."""
    keys = [sort_key(v, order, n)[0] for n, v in items]
    ordered = sorted(keys)
    return [1 + bisect.bisect_left(ordered, k) for k in keys]


def order_of(spec, metrics):
    ids = [m['id'] for m in metrics]
    if not spec:
        return [(0, 'desc')]
    return [(ids.index(m), d) for m, d in spec]


def holds(where, ids, values):
    if where is None:
        return True
    v = ev(where, dict(zip(ids, values)), False)
    return v is not None and v != 0


def select(L, cands, ids):
    """cands: [(name, rank, values)] in table order. → (entries, ties_extended)."""
    n = L['top'] if L['top'] is not None else L['bottom']
    out = []
    ranks = sorted(c[1] for c in cands)
    for name, rank, values in cands:
        if L['top'] is not None and rank > L['top']:
            continue
        if L['bottom'] is not None and len(ranks) - bisect.bisect_right(ranks, rank) >= L['bottom']:
            continue
        if not holds(L['where'], ids, values):
            continue
        out.append((name, rank, values))
    return out, n is not None and len(out) > n


def compute_period(R, p):
    goods = p['goods']
    p['records'] = len(goods)
    last = max((g[0] for g in goods), default=None)
    p['complete'] = last is not None and last == p['end']
    p['as_of'] = None if (last is None or p['complete']) else last.isoformat()
    by_ent = {}
    for d, e, g, vals in goods:
        by_ent.setdefault(e, {'group': g, 'recs': []})['recs'].append((d, vals))
    ids = [m['id'] for m in R.metrics]
    rows = []
    for e, info in by_ent.items():
        recs = info['recs']

        def term(a, recs=recs):
            if a[2] is None:
                return F(len(recs))
            return agg_value(a[1], [(d, ev(a[2], v, True)) for d, v in recs])
        rows.append({'entity': e, 'group': info['group'], 'records': len(recs), 'values': eval_metrics(R.metrics, term)})
    order = order_of(R.order, R.metrics)
    ranks = competition([(r['entity'], r['values']) for r in rows], order)
    for r, k in zip(rows, ranks):
        r['overall_rank'] = k
    if R.grouped:
        for g in set(r['group'] for r in rows):
            mem = [r for r in rows if r['group'] == g]
            for r, k in zip(mem, competition([(r['entity'], r['values']) for r in mem], order)):
                r['rank'] = k
    else:
        for r in rows:
            r['rank'] = r['overall_rank']
    rows.sort(key=lambda r: ((cp_key(r['group']) if R.grouped else b''), r['rank'], cp_key(r['entity'])))
    p['rows'] = rows
    groups = sorted(set(r['group'] for r in rows), key=cp_key) if R.grouped else []
    p['lists'] = []
    for L in (R.lists if rows else []):
        per_group = R.grouped and (L['per_group'] is None or L['per_group'])
        res = {'id': L['id'], 'label': L['label'] or L['id'], 'parts': None}
        if per_group:
            parts = []
            for g in groups:
                cands = [(r['entity'], r['rank'], r['values']) for r in rows if r['group'] == g]
                sel, te = select(L, cands, ids)
                parts.append({'group': g, 'entities': [s[0] for s in sel], 'ties_extended': te, 'ranks': [s[1] for s in sel]})
            res['parts'] = parts
            res['entries'] = [{'rank': rk, 'entity': e, 'group': pt['group']} for pt in parts
                              for e, rk in zip(pt['entities'], pt['ranks'])]
            res['ties_extended'] = any(pt['ties_extended'] for pt in parts)
        else:
            cands = sorted([(r['entity'], r['overall_rank'], r['values']) for r in rows], key=lambda c: (c[1], cp_key(c[0])))
            sel, te = select(L, cands, ids)
            grp = {r['entity']: r['group'] for r in rows}
            res['entries'] = [dict([('rank', s[1]), ('entity', s[0])] + ([('group', grp[s[0]])] if R.grouped else []))
                              for s in sel]
            res['ties_extended'] = te
        p['lists'].append(res)
    p['groups'] = None
    if R.groups:
        G = R.groups
        grows = []
        for g in groups:
            mem = [r for r in rows if r['group'] == g]

            def term(a, mem=mem):
                if a[2] is None:
                    return F(len(mem))
                xs = [ev(a[2], dict(zip(ids, r['values'])), False) for r in mem]
                xs = [x for x in xs if x is not None]
                if a[1] == 'count':
                    return F(sum(1 for x in xs if x != 0))
                if not xs:
                    return None
                return {'sum': sum(xs, F(0)), 'mean': sum(xs, F(0)) / len(xs) if xs else None,
                        'min': min(xs), 'max': max(xs)}[a[1]]
            grows.append({'group': g, 'members': len(mem), 'values': eval_metrics(G['metrics'], term)})
        gorder = order_of(G['order'], G['metrics'])
        for r, k in zip(grows, competition([(r['group'], r['values']) for r in grows], gorder)):
            r['rank'] = k
        grows.sort(key=lambda r: (r['rank'], cp_key(r['group'])))
        gids = [m['id'] for m in G['metrics']]
        glists = []
        for L in (G['lists'] if rows else []):
            sel, te = select(L, [(r['group'], r['rank'], r['values']) for r in grows], gids)
            glists.append({'id': L['id'], 'label': L['label'] or L['id'], 'ties_extended': te,
                           'entries': [{'rank': s[1], 'group': s[0]} for s in sel]})
        p['groups'] = {'rows': grows, 'lists': glists}


# ---------------------------------------------------------------- the page
class Node:
    def __init__(self, tag, attrs, parent):
        self.tag, self.attrs, self.parent, self.children = tag, dict(attrs), parent, []

    def text(self):
        return ''.join(c if isinstance(c, str) else c.text() for c in self.children)

    def find_all(self, tag=None, cls=None, id=None):
        out = []
        for c in self.children:
            if isinstance(c, Node):
                if (tag is None or c.tag == tag) and (cls is None or cls in c.attrs.get('class', '').split()) and \
                        (id is None or c.attrs.get('id') == id):
                    out.append(c)
                out += c.find_all(tag, cls, id)
        return out


class Dom(html.parser.HTMLParser):
    VOID = {'meta', 'link', 'br', 'img', 'input', 'hr', 'source', 'col', 'area', 'base', 'wbr'}

    def __init__(self, text):
        super().__init__(convert_charrefs=True)
        self.root = Node('#root', {}, None)
        self.cur = self.root
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        n = Node(tag, attrs, self.cur)
        self.cur.children.append(n)
        if tag not in self.VOID:
            self.cur = n

    def handle_endtag(self, tag):
        n = self.cur
        while n is not None and n.tag != tag:
            n = n.parent
        if n is not None and n.parent is not None:
            self.cur = n.parent

    def handle_data(self, data):
        self.cur.children.append(data)


def cells(tr):
    return [td.text() for td in tr.find_all('td')]


# ---------------------------------------------------------------- the judge
class Judge:
    def __init__(self, seed, verbose):
        self.seed, self.verbose = seed, verbose
        self.checks = 0
        self.failures = []
        self.stats = {}

    def count(self, what, n=1):
        self.stats[what] = self.stats.get(what, 0) + n

    def eq(self, where, got, want):
        self.checks += 1
        if got != want:
            self.failures.append('seed %d: %s: bulletin %r, expected %r' % (self.seed, where, got, want))
            return False
        return True

    def ok(self, where, cond, detail=''):
        self.checks += 1
        if not cond:
            self.failures.append('seed %d: %s %s' % (self.seed, where, detail))
        return cond


def value_json(j, where, v, fmt, judge):
    judge.count('values')
    if v is None:
        judge.count('undefined values')
    else:
        x = abs(v) * (100 if fmt[0] == 'percent' else 1) * 10 ** fmt[1]
        if x - x.numerator // x.denominator == F(1, 2):
            judge.count('values on a .5 rounding boundary')
        if v < 0:
            judge.count('negative values')
        if float(v) != v:
            judge.count('values a double misses')
    judge.eq(where + '.exact', j.get('exact'), exact_text(v))
    judge.eq(where + '.text', j.get('text'), fmt_text(v, fmt))
    want = None if v is None else float(v)
    got = j.get('value')
    judge.eq(where + '.value', got if got is None else float(got), want)


def check_bad(judge, where, got, b):
    judge.eq(where + '.file', got.get('file'), 'data/' + b.file)
    judge.eq(where + '.record', got.get('record'), b.index)
    if b.line is not None:
        judge.eq(where + '.line', got.get('line'), b.line)
        judge.eq(where + '.column', got.get('column'), b.col)
        judge.eq(where + '.text', got.get('text'), b.text)
    reason = got.get('reason', '')
    if b.reason is not None:
        judge.eq(where + '.reason', reason, b.reason)
    else:
        judge.ok(where + '.reason', any(reason.startswith(p) for p in b.prefixes), '%r starts with none of %r' % (reason, b.prefixes))
    return reason


def check_period(judge, R, p, pdir, proj_rel):
    W = 'rule %s period %s' % (R.id, p['id'])
    j = json.load(open(os.path.join(pdir, 'index.json'), encoding='utf-8'))
    judge.eq(W + ' keys', list(j.keys())[:12], ['rule', 'title', 'period', 'kind', 'start', 'end', 'complete', 'as_of',
                                               'records', 'skipped', 'metrics', 'rows'])
    for k, v in (('rule', R.id), ('title', R.title), ('period', p['id']), ('kind', R.period),
                 ('start', p['start'].isoformat()), ('end', p['end'].isoformat()), ('complete', p['complete']),
                 ('as_of', p['as_of']), ('records', p['records'])):
        judge.eq(W + ' ' + k, j.get(k), v)
    # skipped
    sk = j.get('skipped', {})
    judge.eq(W + ' skipped.count', sk.get('count'), len(p['bads']))
    judge.count('periods')
    judge.count('periods ' + R.period)
    judge.count('skipped records', len(p['bads']))
    judge.count('incomplete periods', not p['complete'])
    judge.count('periods with only skipped records', not p['rows'])
    for L in p['lists'] + (p['groups']['lists'] if p['groups'] else []):
        judge.count('lists')
        judge.count('lists with ties_extended', L['ties_extended'])
    first = sk.get('first', [])
    judge.eq(W + ' skipped.first count', len(first), min(20, len(p['bads'])))
    reasons = {}
    for i, (g, b) in enumerate(zip(first, p['bads'])):
        check_bad(judge, W + ' skipped.first[%d]' % i, g, b)
    examples = sk.get('examples', [])
    judge.eq(W + ' skipped.examples', examples, ['%s:%s:%s: record %s: %s' % (g['file'], g['line'], g['column'], g['record'], g['reason'])
                                                 for g in first])
    judge.eq(W + ' skipped.reasons total', sum(sk.get('reasons', {}).values()), len(p['bads']))
    exact_reasons = {}
    for b in p['bads']:
        if b.reason is not None:
            exact_reasons[b.reason] = exact_reasons.get(b.reason, 0) + 1
    for reason, n in sorted(exact_reasons.items()):
        judge.eq(W + ' skipped.reasons[%r]' % reason, sk.get('reasons', {}).get(reason), n)
    # metrics
    judge.eq(W + ' metrics', [(m['id'], m['label']) for m in j.get('metrics', [])],
             [(m['id'], m['label'] or m['id']) for m in R.metrics])
    fmts = [parse_format(m['format']) for m in R.metrics]
    for m, jm in zip(R.metrics, j.get('metrics', [])):
        judge.ok(W + ' metric format', parse_format(jm.get('format')) == parse_format(m['format']), repr((jm.get('format'), m['format'])))
    # rows
    jrows = j.get('rows', [])
    judge.eq(W + ' rows entities', [r.get('entity') for r in jrows], [r['entity'] for r in p['rows']])
    for jr, r in zip(jrows, p['rows']):
        RW = W + ' entity %r' % r['entity']
        judge.eq(RW + ' rank', jr.get('rank'), r['rank'])
        judge.eq(RW + ' records', jr.get('records'), r['records'])
        if R.grouped:
            judge.eq(RW + ' overall_rank', jr.get('overall_rank'), r['overall_rank'])
            judge.eq(RW + ' group', jr.get('group'), r['group'])
        for m, v, fmt in zip(R.metrics, r['values'], fmts):
            value_json(jr.get(m['id'], {}), RW + ' ' + m['id'], v, fmt, judge)
    # lists
    jl = j.get('lists', {})
    judge.eq(W + ' list ids', list(jl.keys()), [L['id'] for L in p['lists']])
    for L in p['lists']:
        g = jl.get(L['id'], {})
        LW = W + ' list ' + L['id']
        judge.eq(LW + ' label', g.get('label'), L['label'])
        judge.eq(LW + ' entries', g.get('entries'), L['entries'])
        judge.eq(LW + ' ties_extended', g.get('ties_extended'), L['ties_extended'])
        if L['parts'] is not None:
            judge.eq(LW + ' parts', g.get('parts'), [{k: pt[k] for k in ('group', 'entities', 'ties_extended')} for pt in L['parts']])
        else:
            judge.eq(LW + ' has parts', 'parts' in g, False)
    # groups
    judge.eq(W + ' has groups', 'groups' in j, R.groups is not None)
    if R.groups and 'groups' in j:
        G, jg = R.groups, j['groups']
        gf = [parse_format(m['format']) for m in G['metrics']]
        judge.eq(W + ' group metrics', [(m['id'], m['label']) for m in jg.get('metrics', [])],
                 [(m['id'], m['label'] or m['id']) for m in G['metrics']])
        judge.eq(W + ' group rows', [r.get('group') for r in jg.get('rows', [])], [r['group'] for r in p['groups']['rows']])
        for jr, r in zip(jg.get('rows', []), p['groups']['rows']):
            GW = W + ' group %r' % r['group']
            judge.eq(GW + ' rank', jr.get('rank'), r['rank'])
            judge.eq(GW + ' members', jr.get('members'), r['members'])
            for m, v, fmt in zip(G['metrics'], r['values'], gf):
                value_json(jr.get(m['id'], {}), GW + ' ' + m['id'], v, fmt, judge)
        jgl = jg.get('lists', {})
        judge.eq(W + ' group list ids', list(jgl.keys()), [L['id'] for L in p['groups']['lists']])
        for L in p['groups']['lists']:
            g = jgl.get(L['id'], {})
            judge.eq(W + ' group list %s label' % L['id'], g.get('label'), L['label'])
            judge.eq(W + ' group list %s entries' % L['id'], g.get('entries'), L['entries'])
            judge.eq(W + ' group list %s ties_extended' % L['id'], g.get('ties_extended'), L['ties_extended'])

    # index.csv
    raw = open(os.path.join(pdir, 'index.csv'), 'rb').read()
    judge.ok(W + ' csv BOM', raw.startswith(b'\xef\xbb\xbf'))
    body = raw[3:].decode('utf-8')
    judge.ok(W + ' csv CRLF', body.count('\n') == body.count('\r\n') and body.endswith('\r\n'))
    grid = list(csv.reader(io.StringIO(body, newline='')))

    def guard(s):
        return "'" + s if s[:1] in ('=', '+', '-', '@', '\t', '\r') else s
    header = [guard(R.rank_label or '排名'), guard(R.keys[R.entity_name])] + ([guard(R.keys['branch'])] if R.grouped else []) + \
        [guard(m['label'] or m['id']) for m in R.metrics]
    judge.eq(W + ' csv header', grid[0] if grid else None, header)
    want = [[str(r['rank']), guard(r['entity'])] + ([guard(r['group'])] if R.grouped else []) +
            [fmt_text(v, f) for v, f in zip(r['values'], fmts)] for r in p['rows']]
    judge.eq(W + ' csv rows', grid[1:], want)

    # index.html
    dom = Dom(open(os.path.join(pdir, 'index.html'), encoding='utf-8').read()).root
    tables_div = dom.find_all('div', cls='ranking-tables')
    if not judge.ok(W + ' page has ranking-tables', len(tables_div) == 1):
        return
    tdiv = tables_div[0]
    gsec = tdiv.find_all('section', cls='ranking-groups')
    inner_groups = set(id(n) for s in gsec for n in s.find_all())
    trows = [tr for t in tdiv.find_all('table', cls='ranking-table') if id(t) not in inner_groups for tr in t.find_all('tr')
             if tr.find_all('td')]
    heads = [[th.text() for th in t.find_all('th')] for t in tdiv.find_all('table', cls='ranking-table')
             if id(t) not in inner_groups]
    want_head = [R.rank_label or '排名'] + [m['label'] or m['id'] for m in R.metrics]
    if R.description is not None:
        judge.ok(W + ' page description', any(n.text() == R.description for n in dom.find_all('p', cls='lead')))
    judge.eq(W + ' page table headers', [h[:1] + h[2:] for h in heads], [want_head] * len(heads))
    judge.eq(W + ' page rows', [cells(tr) for tr in trows],
             [[str(r['rank']), r['entity']] + [fmt_text(v, f) for v, f in zip(r['values'], fmts)] for r in p['rows']])
    # each row's history page: this period's line holds its rank, of the rows in its table, and its texts
    if not BIG:
        for tr, r in zip(trows, p['rows']):
            a = tr.find_all('a')
            href = a[0].attrs.get('href', '') if a else ''
            hist = os.path.normpath(os.path.join(pdir, href))
            if not judge.ok(W + ' history page of %r' % r['entity'], href and os.path.isfile(hist), repr(href)):
                continue
            hdom = Dom(open(hist, encoding='utf-8').read()).root
            line = None
            for htr in hdom.find_all('tr'):
                ha = htr.find_all('a')
                if ha and os.path.normpath(os.path.join(os.path.dirname(hist), ha[0].attrs.get('href', ''))) == \
                        os.path.join(pdir, 'index.html'):
                    line = cells(htr)
            of = sum(1 for x in p['rows'] if not R.grouped or x['group'] == r['group'])
            judge.eq(W + ' history page of %r' % r['entity'], line and line[1:],
                     ['%d / %d' % (r['rank'], of)] + [fmt_text(v, f) for v, f in zip(r['values'], fmts)])
    if R.grouped:
        heads = [h.text().split('：', 1)[-1] for h in tdiv.find_all('h3', cls='ranking-group')]
        judge.eq(W + ' page group tables', heads, sorted(set(r['group'] for r in p['rows']), key=cp_key))
    meta = ' '.join(n.text() for n in dom.find_all('p', cls='meta'))
    judge.ok(W + ' page record count', ('记录 %d 条' % p['records']) in meta, repr(meta))
    cn = lambda d: '%d年%d月%d日' % (d.year, d.month, d.day)
    judge.ok(W + ' page period range', cn(p['start']) in meta and cn(p['end']) in meta, repr(meta))
    judge.eq(W + ' page as_of shown', len(tdiv.find_all('p', cls='asof')) == 1, p['as_of'] is not None)
    if p['as_of']:
        d = dt.date.fromisoformat(p['as_of'])
        t = tdiv.find_all('p', cls='asof')[0].text()
        judge.ok(W + ' page as_of date', p['as_of'] in t or '%d年%d月%d日' % (d.year, d.month, d.day) in t, repr(t))
    empty = [n for n in tdiv.find_all('p', cls='empty') if '没有可排名' in n.text()]
    judge.eq(W + ' page no-rows note', len(empty), 0 if p['rows'] else 1)
    for L in p['lists']:
        sec = tdiv.find_all('section', id='list-' + L['id'])
        if not judge.ok(W + ' page list %s' % L['id'], len(sec) == 1):
            continue
        got = []
        for li in sec[0].find_all('li'):
            for a in li.find_all('a'):
                nxt = a.parent.children[a.parent.children.index(a) + 1]
                m = re.match(r'（第 (\d+) 名）', nxt if isinstance(nxt, str) else '')
                got.append((a.text(), int(m[1]) if m else None))
        judge.eq(W + ' page list %s entries' % L['id'], got, [(e['entity'], e['rank']) for e in L['entries']])
        judge.eq(W + ' page list %s ties note' % L['id'], len(sec[0].find_all('p', cls='note')) > 0, L['ties_extended'])
    if p['groups'] and p['rows']:
        gs = gsec[0] if gsec else None
        if judge.ok(W + ' page groups section', gs is not None):
            gl = [cells(tr) for tr in gs.find_all('tr') if tr.find_all('td')]
            gf = [parse_format(m['format']) for m in R.groups['metrics']]
            judge.eq(W + ' page group rows', gl, [[str(r['rank']), r['group'], str(r['members'])] +
                                                [fmt_text(v, f) for v, f in zip(r['values'], gf)] for r in p['groups']['rows']])
            for L in p['groups']['lists']:
                sec = gs.find_all('section', id='group-list-' + L['id'])
                if not judge.ok(W + ' page group list %s' % L['id'], len(sec) == 1):
                    continue
                got = [li.text().strip(WS) for li in sec[0].find_all('li')]
                judge.eq(W + ' page group list %s entries' % L['id'], got,
                         ['%s（第 %d 名）' % (e['group'], e['rank']) for e in L['entries']])
    # skipped on the page
    note = [n.text() for n in tdiv.find_all('p', cls='skipped')]
    if p['bads']:
        judge.ok(W + ' page skipped count', bool(note) and ('跳过了 %d 条' % len(p['bads'])) in note[0], repr(note))
        srows = [cells(tr) for t in tdiv.find_all('table', cls='skipped-records') for tr in t.find_all('tr') if tr.find_all('td')]
        caption = ' '.join(c.text() for c in tdiv.find_all('caption'))
        judge.eq(W + ' page skipped caption says 20 of more', '前 20 条' in caption, len(p['bads']) > 20)
        judge.eq(W + ' page skipped rows', srows, [[g['file'], str(g['line']), g['text'], g['reason']] for g in first])
    else:
        judge.eq(W + ' page skipped note', note, [])


def run_seed(seed, bulletin, keep=None, verbose=False):
    rng = random.Random(seed)
    judge = Judge(seed, verbose)
    tmp = tempfile.mkdtemp(prefix='bulletin-diff-')
    try:
        proj = os.path.join(tmp, 'p')
        os.makedirs(os.path.join(proj, 'data', 'rules'))
        with open(os.path.join(proj, 'bulletin.yaml'), 'w', encoding='utf-8') as f:
            f.write('title: 差分\norganization: 测试\nlanguage: zh-CN\nbase_path: /\n')
        shutil.copytree(os.path.join(SOURCE, 'templates'), os.path.join(proj, 'templates'))
        rules = []
        for i in range(1 if BIG else rng.randint(1, 3)):
            R = gen_rule(rng, i)
            files = []
            gen_data(rng, R, files)
            os.makedirs(os.path.join(proj, 'data', 'exports', R.id))
            if rng.random() < 0.1:  # a file with no records: a warning, nothing else
                open(os.path.join(proj, 'data', 'exports', R.id, 'empty.jsonl'), 'w').write('\n\n')
            records = []
            for rel, kind, chunk in files:
                placed = write_file_records(os.path.join(proj, 'data', rel), kind, chunk, R, rng)
                R.files = getattr(R, 'files', []) + [(rel, kind, chunk, placed)]
            for rel, kind, chunk, placed in sorted(R.files, key=lambda x: x[0].encode()):
                for i2, (rec, pl) in enumerate(zip(chunk, placed)):
                    if isinstance(rec, str):
                        records.append((rel, pl[1], pl[2], pl[3], pl[0], None))
                        continue
                    text = '{' + ', '.join('%s: %s' % (yq(k), v) for k, v in rec) + '}'
                    if pl is None:
                        records.append((rel, None, None, i2 + 1, None, read_raw(text)))
                    else:
                        records.append((rel, pl[1], pl[2], pl[3], pl[0], read_raw(pl[0])))
            if not R.skip:
                # bad_records: error: the generator made none, unless a division by zero
                pass
            with open(os.path.join(proj, 'data', 'rules', R.id + '.yaml'), 'w', encoding='utf-8') as f:
                f.write(rule_yaml(R))
            R.periods, R.undated = model_rule(R, records)
            rules.append(R)
        site = os.path.join(tmp, 'site')
        env = dict(os.environ, BULLETIN_PDF='0')
        r = subprocess.run([bulletin, 'build', proj, '-o', site, '-j', '1'], capture_output=True, text=True, env=env)
        expect_fail = any(not R.skip and any(p['bads'] for p in R.periods.values()) or (not R.skip and R.undated)
                          for R in rules)
        if expect_fail:
            judge.ok('build with bad records under bad_records: error fails', r.returncode == 1,
                     'exit %d: %s' % (r.returncode, r.stderr[-500:]))
            judge.count('builds stopped by a bad record')
            for R in rules:
                if not R.skip and R.all_bads:  # the first bad record read stops the build, at its place
                    b = R.all_bads[0]
                    head = 'data/%s:%d:%d: error: record %d: ' % (b.file, b.line, b.col, b.index) if b.line else None
                    lines = [l for l in r.stderr.splitlines() if head and l.startswith(head)]
                    judge.ok('rule %s error message' % R.id, head is None or (lines and (
                        lines[0][len(head):] == b.reason if b.reason else any(lines[0][len(head):].startswith(x) for x in b.prefixes))),
                        'want %r %r in %r' % (head, b.reason or b.prefixes, r.stderr[-800:]))
            return judge
        if not judge.ok('build', r.returncode == 0, 'exit %d: %s' % (r.returncode, r.stderr[-2000:])):
            return judge
        if seed % 5 == 0:  # the same inputs on more threads give byte-identical ranking files
            site2 = os.path.join(tmp, 'site2')
            r2 = subprocess.run([bulletin, 'build', proj, '-o', site2, '-j', '3'], capture_output=True, text=True, env=env)
            judge.eq('second build on 3 threads', r2.returncode, 0)
            for dirpath, _, names in os.walk(os.path.join(site, 'rankings')):
                for n in names:
                    if n.startswith('index.'):
                        a1 = os.path.join(dirpath, n)
                        a2 = os.path.join(site2, os.path.relpath(a1, site))
                        judge.ok('deterministic ' + os.path.relpath(a1, site),
                                 os.path.exists(a2) and open(a1, 'rb').read() == open(a2, 'rb').read())
        for R in rules:
            rdir = os.path.join(site, 'rankings', R.id)
            got = sorted(d for d in os.listdir(rdir) if os.path.isfile(os.path.join(rdir, d, 'index.json'))) \
                if os.path.isdir(rdir) else []
            judge.eq('rule %s periods' % R.id, got, sorted(R.periods))
            for pid in sorted(R.periods):
                if pid in got:
                    check_period(judge, R, R.periods[pid], os.path.join(rdir, pid), proj)
        return judge
    finally:
        if keep:
            dest = os.path.join(keep, 'seed-%d' % seed)
            shutil.rmtree(dest, ignore_errors=True)
            shutil.copytree(tmp, dest)
        shutil.rmtree(tmp, ignore_errors=True)


def parse_seeds(spec):
    out = []
    for part in spec.split(','):
        if '-' in part:
            a, b = part.split('-')
            out += range(int(a), int(b) + 1)
        elif part:
            out.append(int(part))
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('bulletin')
    ap.add_argument('--seeds', default='1-40', help='seeds, e.g. 1-40,77')
    ap.add_argument('--random', type=int, default=int(os.environ.get('BULLETIN_DIFF_RANDOM', '0') or 0),
                    help='also run N random seeds (or set BULLETIN_DIFF_RANDOM=N)')
    ap.add_argument('--keep', help='copy each project and site into this folder')
    ap.add_argument('-v', '--verbose', action='store_true')
    ap.add_argument('--max-failures', type=int, default=30)
    ap.add_argument('--big', action='store_true', help='60,000 records over 1,100 entities and 40 days a seed')
    a = ap.parse_args()
    global BIG
    BIG = a.big
    seeds = parse_seeds(a.seeds) + [random.randrange(10 ** 9) for _ in range(a.random)]
    total = failed_seeds = 0
    shown_failures = 0
    stats = {}
    for s in seeds:
        j = run_seed(s, a.bulletin, a.keep, a.verbose)
        total += j.checks
        if j.failures:
            failed_seeds += 1
            for f in j.failures[:max(0, a.max_failures - shown_failures)]:
                print(f)
            shown_failures += len(j.failures)
        if a.verbose:
            print('seed %d: %d checks, %d failed' % (s, j.checks, len(j.failures)))
        for k, v in j.stats.items():
            stats[k] = stats.get(k, 0) + v
    print('%d seeds, %d checks, %d seeds with failures (%d failed checks)' % (len(seeds), total, failed_seeds, shown_failures))
    if a.verbose:
        for k in sorted(stats):
            print('  %-36s %d' % (k, stats[k]))
    return 1 if failed_seeds else 0


if __name__ == '__main__':
    sys.exit(main())
