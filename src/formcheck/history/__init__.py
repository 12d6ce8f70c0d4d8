"""A client's history: the SQLite store of judged sets (store, schema, records), the conversion from and to
the analysis records (convert), and the trends drawn from it (trends, trends_plots, trends_html, trends_csv).

Contract and schema: docs/history.md. Client names are data; `names` is the only place they become file names.
"""
