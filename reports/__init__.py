"""Reports for people: the monthly chargeback (XLSX, CSV, HTML) and the executive summary (HTML).

Every report reads only the published warehouse and is written under `data/reports/<month>/`.
"""
