#!/usr/bin/python3
"""check_workbook.py - checks a workbook muster wrote against the official
FedRAMP template it imitates (run by test_xlsx_writer.c).

usage: check_workbook.py inventory|poam <written.xlsx> <template.xlsx> [expected.json]

Checks, with openpyxl: sheet names; every header cell equal to the template's
cell, byte for byte (the inventory's template column B.. is our column A..,
since FedRAMP has column A deleted before submission; the POA&M keeps its
columns); group headers and merged ranges; column widths; frozen panes;
value-list validations (present on the data rows, same lists as the
template's, none on Weakness Source Identifier); constant-memory output
(inline strings, no shared string table); and, given expected.json, the
document properties and every value written, dates being real dates.

expected.json: {"created": "2025-02-01T00:00:00Z", "block": {field: value},
"sheets": {name: [[cell, ...], ...]}} where a cell is null (blank), a string,
or {"date": "YYYY-MM-DD"}.  Exit status 0 when all checks pass, 1 otherwise.
"""
import datetime
import json
import re
import sys
import zipfile

import openpyxl
from openpyxl.utils import get_column_letter

MAX_ROW = 1048576
errors = []
checks = 0


def check(cond, msg):
    global checks
    checks += 1
    if not cond:
        errors.append(msg)


def xstring(s):
    """Decode ECMA-376 _xHHHH_ escapes the way Excel does (openpyxl 3.0 keeps them)."""
    if not isinstance(s, str):
        return s
    return re.sub(r"_x([0-9A-Fa-f]{4})_", lambda m: chr(int(m.group(1), 16)), s)


def xml_widths(path, sheet_index):
    """Column widths as stored in <cols> of the sheet_index-th sheet (1-based)."""
    with zipfile.ZipFile(path) as z:
        x = z.read("xl/worksheets/sheet%d.xml" % sheet_index).decode()
    w = {}
    for m in re.finditer(r"<col\s([^>]*)/>", x):
        attrs = dict(re.findall(r'(\w+)="([^"]*)"', m.group(1)))
        if "width" not in attrs:
            continue
        for c in range(int(attrs["min"]), min(int(attrs["max"]), 200) + 1):
            w[c] = float(attrs["width"])
    return w


def validations(ws):
    """{sqref string: formula1} for the list validations of ws."""
    return {str(dv.sqref): dv.formula1 for dv in ws.data_validations.dataValidation
            if dv.type == "list"}


def template_list_for(tws, col_letter):
    """The template's list formula covering column col_letter in its data rows."""
    for dv in tws.data_validations.dataValidation:
        if dv.type != "list":
            continue
        for rng in str(dv.sqref).split():
            m = re.match(r"([A-Z]+)(\d+)(?::([A-Z]+)(\d+))?$", rng)
            first, last = m.group(1), m.group(3) or m.group(1)
            lo, hi = int(m.group(2)), int(m.group(4) or m.group(2))
            idx = openpyxl.utils.column_index_from_string
            if idx(first) <= idx(col_letter) <= idx(last) and hi > 100:
                return dv.formula1
    return None


def check_rows(ws, name, first_row, rows):
    for i, row in enumerate(rows):
        for c, want in enumerate(row):
            cell = ws.cell(first_row + i, c + 1)
            where = "%s!%s" % (name, cell.coordinate)
            if want is None:
                check(cell.value is None, "%s: expected blank, got %r" % (where, cell.value))
            elif isinstance(want, dict):
                d = datetime.date.fromisoformat(want["date"])
                check(isinstance(cell.value, datetime.datetime) and cell.is_date
                      and cell.value.date() == d,
                      "%s: expected date %s, got %r (%s)" % (where, d, cell.value,
                                                             cell.number_format))
            else:
                check(isinstance(cell.value, str) and xstring(cell.value) == want,
                      "%s: expected %r, got %r" % (where, want, cell.value))
    # nothing written below the expected rows
    check(ws.max_row == first_row - 1 + len(rows),
          "%s: %d rows, expected %d" % (name, ws.max_row, first_row - 1 + len(rows)))


def check_common(path, expected):
    with zipfile.ZipFile(path) as z:
        names = z.namelist()
        core = z.read("docProps/core.xml").decode()
    check("xl/sharedStrings.xml" not in names,
          "shared string table present: not written in constant-memory mode")
    check("<dc:creator>muster</dc:creator>" in core, "author is not muster")
    if expected and "created" in expected:
        check("<dcterms:created xsi:type=\"dcterms:W3CDTF\">%s</dcterms:created>"
              % expected["created"] in core, "creation time is not %s" % expected["created"])


def check_inventory(wb, tb, path, tpath, expected):
    check(wb.sheetnames == ["Inventory"], "sheets %r" % wb.sheetnames)
    ws, tws = wb["Inventory"], tb["Inventory"]
    # column headers: template row 2 from column B = our row 2 from column A
    for c in range(1, 26):
        want = tws.cell(2, c + 1).value
        got = ws.cell(2, c).value
        check(got == want, "Inventory!%s2: %r != template %s2 %r" % (
            get_column_letter(c), got, get_column_letter(c + 1), want))
    check(tws.cell(2, 27).value is None and ws.cell(2, 26).value is None,
          "header row longer than the template's")
    # group headers: the template's row-1 merges shifted one column left
    want = set()
    for r in tws.merged_cells.ranges:
        if r.min_row == 1 and r.min_col >= 2:
            want.add("%s1:%s1" % (get_column_letter(r.min_col - 1), get_column_letter(r.max_col - 1)))
            check(ws.cell(1, r.min_col - 1).value == tws.cell(1, r.min_col).value,
                  "group header %r" % tws.cell(1, r.min_col).value)
    got = {str(r) for r in ws.merged_cells.ranges}
    check(got == want, "merged ranges %r, expected %r" % (sorted(got), sorted(want)))
    check(len(want) == 4, "template group headers: %r" % want)
    # widths
    tw, ow = xml_widths(tpath, 2), xml_widths(path, 1)
    for c in range(1, 26):
        check(c in ow and abs(ow[c] - tw[c + 1]) < 0.1,
              "Inventory width of %s: %r, template %r" % (get_column_letter(c), ow.get(c), tw[c + 1]))
    check(ws.freeze_panes == "A3", "freeze %r" % ws.freeze_panes)
    # the template has no validations on this sheet; neither do we
    check(not ws.data_validations.dataValidation and not tws.data_validations.dataValidation,
          "unexpected validations on Inventory")
    if expected:
        check_rows(ws, "Inventory", 3, expected["sheets"].get("Inventory", []))


POAM_SHEETS = ["Open POA&M Items", "Closed POA&M Items", "Configuration Findings"]


def check_poam(wb, tb, path, tpath, expected):
    check(wb.sheetnames == POAM_SHEETS, "sheets %r" % wb.sheetnames)
    topen = tb["Open POA&M Items"]
    for si, name in enumerate(POAM_SHEETS):
        if name not in wb.sheetnames:
            continue
        ws, tws = wb[name], tb[name]
        check(ws["A1"].value == tws["A1"].value, "%s!A1 %r != %r" % (name, ws["A1"].value, tws["A1"].value))
        for c in range(1, 5):
            check(ws.cell(2, c).value == tws.cell(2, c).value, "%s label %d" % (name, c))
        for c in range(1, 32):
            check(ws.cell(5, c).value == tws.cell(5, c).value,
                  "%s!%s5: %r != template %r" % (name, get_column_letter(c),
                                                 ws.cell(5, c).value, tws.cell(5, c).value))
        check(tws.cell(5, 32).value is None and ws.cell(5, 32).value is None,
              "%s header row longer than the template's" % name)
        got = {str(r) for r in ws.merged_cells.ranges}
        want = {str(r) for r in tws.merged_cells.ranges}
        check(got == want, "%s merged %r, template %r" % (name, got, want))
        check(ws.freeze_panes == tws.freeze_panes, "%s freeze %r, template %r" % (
            name, ws.freeze_panes, tws.freeze_panes))
        tw, ow = xml_widths(tpath, si + 1), xml_widths(path, si + 1)
        for c in range(1, 32):
            check(c in ow and abs(ow[c] - tw[c]) < 0.1, "%s width of %s: %r, template %r" % (
                name, get_column_letter(c), ow.get(c), tw[c]))
        # value lists over the data rows, the same lists as the template's
        dvs = validations(ws)
        want = {
            "C3": '"Low,Moderate,High"',
            "P6:P%d" % MAX_ROW: '"Yes,No"',
            "S6:S%d" % MAX_ROW: '"Low,Moderate,High"',
            "T6:T%d" % MAX_ROW: '"Low,Moderate,High,N/A"',
            "U6:W%d" % MAX_ROW: '"Yes,No,Pending"',
        }
        check(dvs == want, "%s validations %r" % (name, dvs))
        for sq, formula in dvs.items():
            if sq == "C3":
                continue
            col = re.match(r"[A-Z]+", sq).group(0)
            check(template_list_for(topen, col) == formula,
                  "%s: list on %s differs from the template's" % (name, col))
        check(all("F" not in re.findall(r"[A-Z]+", sq) for sq in dvs),
              "%s: Weakness Source Identifier must not be validated" % name)
        if expected:
            blk = expected.get("block", {})
            for c, f in enumerate(["csp", "system_name", "impact_level"], 1):
                check(xstring(ws.cell(3, c).value) == blk.get(f),
                      "%s row 3 %s: %r" % (name, f, ws.cell(3, c).value))
            d = ws["D3"]
            check(isinstance(d.value, datetime.datetime) and d.is_date and
                  d.value.date() == datetime.date.fromisoformat(blk["poam_date"]),
                  "%s!D3 POAM date %r" % (name, d.value))
            check_rows(ws, name, 6, expected["sheets"].get(name, []))


def main(argv):
    if len(argv) not in (4, 5) or argv[1] not in ("inventory", "poam"):
        print(__doc__, file=sys.stderr)
        return 2
    kind, path, tpath = argv[1], argv[2], argv[3]
    expected = None
    if len(argv) == 5:
        with open(argv[4], encoding="utf-8") as f:
            expected = json.load(f)
    wb = openpyxl.load_workbook(path)
    tb = openpyxl.load_workbook(tpath)
    check_common(path, expected)
    if kind == "inventory":
        check_inventory(wb, tb, path, tpath, expected)
    else:
        check_poam(wb, tb, path, tpath, expected)
    for e in errors:
        print("check_workbook: " + e, file=sys.stderr)
    print("check_workbook: %s %s: %d checks, %d failed" % (kind, path, checks, len(errors)))
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
