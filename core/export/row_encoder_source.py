"""The row encoder pasted into generated scripts (predict.py, the PyTorch model.py): raw text cells → features.

One copy of the code serves both scripts, so they encode rows exactly alike, and alike with
`core.export.raw_columns` (same missing markers, one-hot order, fills and refusals). It is fixed text, never
formatted with anything a user or a file said; the scripts that include it import `math` and `numpy as np`.
"""

from core.data.csv_format import MISSING_MARKERS

ROW_ENCODER_SLOT = "__ROW_ENCODER__"

# The loader's own markers, written as a literal: cells that mean "no value", compared lower-cased and stripped.
ROW_ENCODER_SOURCE = f"MISSING_MARKERS = set({sorted(MISSING_MARKERS)!r})\n" + r'''

class InputError(Exception):
    """Data that can't be used: the message names the file, the line and the column."""


def encode_rows(rows, columns, lines=None, source="rows"):
    """Rows of raw text cells (one per column, in the columns' order) -> encoded features (n, encoded).

    columns: the model's raw columns (name, kind, categories, fill). lines: each row's line number in `source`,
    for error messages (default 1, 2, ...)."""
    rows = list(rows)
    lookups = [{name: i for i, name in enumerate(column["categories"])} for column in columns]
    encoded = []
    for line, row in zip(lines or range(1, len(rows) + 1), rows):
        if len(row) != len(columns):
            raise InputError("%s, line %d: %d cells but the model needs %d" % (source, line, len(row), len(columns)))
        values = []
        for column, lookup, cell in zip(columns, lookups, row):
            where = "%s, line %d, column %r: " % (source, line, column["name"])
            text = str(cell).strip()
            number = _number(text) if column["kind"] == "number" else None
            if text.lower() in MISSING_MARKERS or (number is not None and math.isnan(number)):
                if column["fill"] is None:
                    raise InputError(where + "the value is missing, and the model has no fill value for this "
                                             "column (it was trained without gaps there); give a value")
                values.extend(column["fill"])
            elif column["kind"] == "number":
                if number is None or math.isinf(number):
                    raise InputError(where + "%r is not a finite number" % text)
                values.append(number)
            elif text in lookup:
                one_hot = [0.0] * len(lookup)
                one_hot[lookup[text]] = 1.0
                values.extend(one_hot)
            else:
                raise InputError(where + "%r is not a category the model was trained on (%s)"
                                 % (text, ", ".join(repr(name) for name in column["categories"][:8])))
        encoded.append(values)
    width = sum(len(c["categories"]) if c["kind"] == "category" else 1 for c in columns)
    return np.array(encoded, dtype=np.float64).reshape(-1, width)


def _number(text):
    try:
        return float(text)
    except ValueError:
        return None


'''
