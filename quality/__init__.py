"""Raw-layer quality gates (great-expectations), their results history and the steward report.

`quality/suites/<source>.yaml` says what is checked; `quality.gates` evaluates a gate on the
working warehouse; `quality.results` keeps every result in `audit.quality_results` and judges
whether a run may be published; `quality.report` renders the steward's HTML report.
"""
