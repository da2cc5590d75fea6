"""Intelligence on governed data: demand anomalies, late-supplier prediction, replenishment and
margin leakage, read from the dbt marts and written to the warehouse's `intelligence` schema.

`intelligence.run.run_all(con, landing)` runs every model; each model's own function is what a
Dagster asset calls. Results feed `fct_exceptions` through the exception columns every table
carries (`intelligence.warehouse.EXCEPTION_COLUMNS`).
"""
