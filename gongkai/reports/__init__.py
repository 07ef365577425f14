"""The statutory annual report (政府信息公开工作年度报告, Regulations Art. 49–50).

formats   the 2021 format (国办公开办函〔2021〕30号) and the 2019 trial format, as data
page      a saved page (HTML or text in its real shapes) → cells and prose
parse     cells → a ReportData by the format's rows and columns (format, year, organisation)
prose     the figures a report's prose states about its tables
check     the consistency check (sum, missing, label, prose) of a ReportData, read or generated
sources   files, addresses (httpx, with limits) and the list of units an office above checks
workbook  the XLSX of problems per unit
"""
