"""`formcheck serve`: the browser app (upload, report, client and live pages) over the same engine.

`app.create_app` builds it; `settings.ServeSettings` says how it runs; analysis happens in `worker` (a
separate process) and live judging in `live_engine`, the package's only doors into the analysis core.
"""
