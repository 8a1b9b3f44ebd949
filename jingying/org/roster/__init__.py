"""Roster import/export: the .xlsx workbooks offices keep their people in.

- columns.py: the template's columns and the header names offices use for them;
- headers.py: finding the header row (under titles and merged cells) and mapping columns;
- values.py: turning cells as offices type them into field values, one fast function per kind;
- importer.py: `import_roster` (validate everything, then write all or nothing);
- exporter.py: `export_roster` and the empty template (the same columns import reads);
- synthetic.py: a generated workbook for benchmarks and tests.
"""
