"""Document writers shared by every app (公文与表格): XLSX helpers here, DOCX in the official layout.

A plain package, not an installed app: writers take plain data that selectors return and give
back a file; they never query the database themselves.
"""
