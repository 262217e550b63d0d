"""Exports of responses (CSV, XLSX, SPSS, Stata, Parquet, DDI-Codebook) and of result tables."""
