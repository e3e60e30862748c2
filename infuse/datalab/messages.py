"""Bilingual messages for the keys that ingest and validation report.

The pure modules (readers, convert, validation) raise and report stable keys with parameters
and an English default; this maps each key to a translatable message, so a person reads the
problem in their language, and the API returns the same key. Unknown keys fall back to the
English text the module recorded, so a new key is never shown blank.
"""

from __future__ import annotations

from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

MESSAGES: dict[str, Promise] = {
    # Reading the file
    "ingest.empty-file": _("The file is empty. Check you chose the right file."),
    "ingest.header-only": _("The file has column names but no rows of data."),
    "ingest.file-missing": _("The uploaded file could not be found. Upload it again."),
    "ingest.unknown-format": _(
        "The file is not CSV, XLSX, Parquet, JSON or NDJSON. Save it in one of those formats."
    ),
    "ingest.unknown-encoding": _(
        "The file's text encoding could not be recognised. Save it as CSV UTF-8 and upload it "
        "again."
    ),
    "ingest.undecodable-bytes": _(
        "Some characters in the file cannot be read as %(encoding)s. Save it as CSV UTF-8 and "
        "upload it again."
    ),
    "ingest.ragged-rows": _(
        "Some rows have a different number of values from the header. The report lists them."
    ),
    "ingest.invalid-xlsx": _("The spreadsheet is damaged or is not an XLSX file."),
    "ingest.invalid-json": _("The file is not valid JSON."),
    "ingest.invalid-parquet": _("The file is not a valid Parquet file."),
    "ingest.sheet-not-found": _(
        "The spreadsheet has no sheet called ‘%(sheet)s’. Its sheets are: %(sheets)s."
    ),
    "ingest.xlsx-too-large": _(
        "The spreadsheet unpacks to more than this service accepts. Split it or save it as CSV."
    ),
    "ingest.xlsx-compression-ratio": _(
        "The spreadsheet is compressed far more than real data is, so it was refused for safety."
    ),
    "ingest.xlsx-too-many-parts": _(
        "The spreadsheet has too many internal parts, so it was refused for safety."
    ),
    "ingest.unreadable": _(
        "The file could not be read as a table. Check it is saved as CSV, XLSX, Parquet, JSON or "
        "NDJSON."
    ),
    # What was changed or assumed while reading (warnings)
    "ingest.column-renamed": _("Column %(column)s ‘%(original)s’ is named ‘%(name)s’."),
    "ingest.column-name-trimmed": _("Spaces around the name of column %(column)s were removed."),
    "ingest.column-unnamed": _("Column %(column)s had no name and is called ‘%(name)s’."),
    "ingest.column-deduplicated": _(
        "Two columns were called ‘%(original)s’; the later one is now ‘%(name)s’."
    ),
    "ingest.mixed-encoding": _("%(count)s bytes were not UTF-8 and were read as Windows-1252."),
    "ingest.encoding-converted": _("The file was read as %(encoding)s and converted to UTF-8."),
    "ingest.preamble-skipped": _(
        "The first %(count)s lines, above the table (a title, notes or filters), were skipped: "
        "the column names come from line %(header_line)s. If that is wrong, upload the file "
        "again and give the number of lines to skip."
    ),
    "ingest.flags-kept": _(
        "Some values carry a StatsWales or ONS flag ([c] confidential, [x] not available, [p] "
        "provisional…): each is read without its flag, and the flag is kept beside it in the "
        "columns %(columns)s."
    ),
    "ingest.footer-dropped": _(
        "The table ends at the blank line %(line)s; %(count)s lines of notes below it were left "
        "out."
    ),
    "ingest.values-trimmed": _("Spaces around values in ‘%(column)s’ were removed."),
    "ingest.mostly-numeric": _(
        "‘%(column)s’ is mostly numbers but %(count)s values are not, so it was kept as text."
    ),
    "ingest.currency-stripped": _(
        "Currency signs and thousands separators were removed from ‘%(column)s’."
    ),
    "ingest.bad-rows-skipped": _("%(count)s malformed rows were skipped."),
    "ingest.internal-error": _(
        "Something went wrong while processing the file. Nothing was changed. Try again, and "
        "if it happens again tell the InFuSe team."
    ),
    "ingest.interrupted": _(
        "Processing the file was interrupted %(attempts)s times, so it was stopped. Nothing was "
        "changed and earlier versions are as they were. Tell the InFuSe team."
    ),
    # Read-only SQL
    "sql.empty": _("Write a query."),
    "sql.syntax": _("The query is not valid SQL: %(detail)s"),
    "sql.one-statement": _("Run one statement at a time."),
    "sql.read-only": _("Only SELECT queries can run here: nothing can be changed or written."),
    "sql.forbidden": _("Queries here can read only the datasets listed on this page."),
    # Untrusted work in its sandbox (queries, reading uploads)
    "sandbox.timeout": _("It took longer than %(seconds)s seconds and was stopped."),
    "sandbox.memory": _(
        "It needed more memory than one piece of work may use and was stopped. Read fewer rows "
        "or columns, or aggregate before sorting or collecting into lists."
    ),
    "sandbox.too-large": _(
        "The result is larger than %(megabytes)s MB. Select fewer columns or rows."
    ),
    "sandbox.crashed": _(
        "The engine stopped unexpectedly while doing this. Nothing was changed; try a simpler "
        "query, and tell the platform team if it happens again."
    ),
    "sandbox.busy": _("Too much work is running at once. Try again in a minute."),
    "sandbox.busy-owner": _(
        "You already have work running. Wait for it to finish, then try again."
    ),
    "sandbox.failed": _("It could not be done: %(detail)s"),
    "sql.failed": _("The query could not run: %(detail)s"),
    # Checking against the declared schema
    "validation.rejected": _(
        "%(rows)s rows do not match the dataset's declared schema, so the file was not "
        "accepted. The report below lists the problems."
    ),
    "validation.columns-rejected": _(
        "The file's columns do not match the dataset's declared schema, so it was not "
        "accepted. The report below names the columns missing or not expected."
    ),
    "validation.invalid-schema": _("The declared schema is not valid."),
    "validation.column-missing": _("The column is missing."),
    "validation.unexpected-column": _("The column is not in the declared schema."),
    "validation.required-missing": _("A value is required."),
    "validation.not-an-integer": _("Not a whole number."),
    "validation.not-a-number": _("Not a number."),
    "validation.not-a-boolean": _("Not true or false."),
    "validation.not-a-date": _("Not a date."),
    "validation.not-a-datetime": _("Not a date and time."),
    "validation.below-minimum": _("Below the minimum of %(minimum)s."),
    "validation.above-maximum": _("Above the maximum of %(maximum)s."),
    "validation.too-short": _("Shorter than %(min_length)s characters."),
    "validation.too-long": _("Longer than %(max_length)s characters."),
    "validation.pattern-mismatch": _("Does not match the pattern the schema requires."),
    "validation.not-in-enum": _("Not one of the allowed values."),
    "validation.duplicate-value": _("Appears more than once, but must be unique."),
    "validation.duplicate-key": _("This key appears more than once, but must be unique."),
    "validation.unknown-council": _(
        "Not one of the ten councils (give a GSS code such as W06000015, or the English or Welsh "
        "name)."
    ),
    # Defining an indicator (the analytics layer's checks of a specification)
    "analytics.unknown-column": _(
        "The data has no column ‘%(column)s’. Choose one of its columns: %(available)s."
    ),
    "analytics.filter-takes-no-value": _(
        "Leave the value empty when the filter is ‘empty’ or ‘not empty’."
    ),
    "analytics.filter-needs-list": _("Give one or more values, separated by commas."),
    "analytics.filter-needs-two-values": _(
        "Give two values, the lowest and the highest, separated by a comma."
    ),
    "analytics.filter-needs-one-value": _("Give the value to compare ‘%(column)s’ with."),
    "analytics.filter-value-type": _(
        "‘%(value)s’ cannot be compared with ‘%(column)s’, which holds %(type)s. Give a value "
        "of that kind."
    ),
    "analytics.count-takes-no-column": _(
        "Counting rows needs no column: choose ‘count rows’ without a column, or ‘count "
        "different values’ of ‘%(column)s’."
    ),
    "analytics.sum-needs-number": _(
        "‘%(column)s’ holds %(type)s, so it cannot be added up. Choose a column of numbers, or "
        "count rows instead."
    ),
    "analytics.column-not-named": _(
        "Name each column to add up as text, exactly as it is headed in the data (for example "
        '["<2000g", "2000-2499g"]).'
    ),
    "analytics.column-repeated": _(
        "A column is named more than once: name each column to add up once."
    ),
    "analytics.one-column-only": _(
        "Only a sum adds up several columns: count the different values of one column, or "
        "choose ‘Add up one or more columns’."
    ),
    "analytics.period-needs-date": _(
        "‘%(column)s’ holds %(type)s, not dates, so it cannot be grouped into %(grain)s. Choose "
        "‘As written in the data’, or a column of dates."
    ),
    "analytics.period-labels": _(
        "‘%(column)s’ holds values such as ‘%(example)s’, which are not %(grain)s written like "
        "%(pattern)s. Choose ‘As written in the data’ to use them as they are, or another "
        "kind of period."
    ),
    "analytics.count-unit-with-denominator": _(
        "A count has no denominator: choose a percentage or a rate, or leave the denominator empty."
    ),
    "analytics.value-unit-one-column": _(
        "A value as published is one column of the data: choose ‘Add up one or more columns’ "
        "and tick that one column."
    ),
    "analytics.value-unit-no-denominator": _(
        "A value as published has no denominator: untick the denominator's columns, or choose "
        "a percentage or a rate."
    ),
    "analytics.unit-needs-denominator": _(
        "A percentage or a rate needs a denominator: choose the column to divide by, or the "
        "unit ‘count’."
    ),
    "analytics.population-missing": _(
        "The region's population figures are not loaded, so a rate per population cannot be "
        "worked out. Ask the programme team to load them."
    ),
    "analytics.population-council-type": _(
        "‘%(column)s’ must name councils the way the population figures do (%(expected)s)."
    ),
    "analytics.bad-choice": _("‘%(value)s’ is not one of the choices: %(choices)s."),
    "analytics.malformed-spec": _("The definition could not be read: %(detail)s"),
    # Shaping the data (a dataset's recipe)
    "analytics.recipe-malformed": _(
        "Step %(step)s of the recipe cannot be read: %(detail)s. Write it as the README's "
        "‘Recipes’ section shows."
    ),
    "analytics.recipe-unknown-step": _(
        "‘%(kind)s’ is not a kind of step. Choose rename, unpivot, derive, constant or filter."
    ),
    "analytics.recipe-bad-name": _("Give the new column a name of 1 to %(limit)s characters."),
    "analytics.recipe-name-taken": _(
        "The data already has a column called ‘%(column)s’. Choose another name."
    ),
    "analytics.recipe-name-repeated": _(
        "Two new columns would have the same name (%(columns)s). Give each its own name."
    ),
    "analytics.recipe-no-value": _(
        "‘%(column)s’ needs a value: give one, or the start of a line of the file's title that "
        "holds it (this version's title has no line ‘%(label)s: …’)."
    ),
    "analytics.recipe-value-empty": _("Give ‘%(column)s’ a value to hold on every row."),
    "analytics.recipe-no-conditions": _("Choose a column and a condition for the rows to keep."),
    "analytics.recipe-nothing-renamed": _("Choose a column to rename."),
    "analytics.recipe-too-few-columns": _("Tick two or more columns."),
    "analytics.recipe-difference-of-two": _(
        "A difference takes two columns: the one to start from, and the one to take away."
    ),
    "analytics.recipe-not-numbers": _(
        "‘%(column)s’ holds %(kind)s, not numbers, so it cannot be added or taken away. Choose "
        "columns of numbers."
    ),
    "analytics.recipe-mixed-types": _(
        "The columns %(columns)s must all hold numbers or all hold text."
    ),
    "analytics.recipe-breaks-indicator": _(
        "The indicator ‘%(indicator)s’ uses the column ‘%(column)s’, which this change would "
        "take away. Keep the column, or change the indicator first."
    ),
}


def explain(key: str, params: dict[str, Any] | None = None, default: str = "") -> str:
    """The message for ``key`` in the active language, with ``params`` filled in."""
    template = MESSAGES.get(key)
    if template is None:
        return default or key
    try:
        return str(template) % {k: v for k, v in (params or {}).items()}
    except (KeyError, TypeError, ValueError):
        return str(template)  # a parameter the message needs was not recorded
