"""Documents shared by every app (公文与表格): 公文 as DOCX in the official layout, and XLSX helpers.

- ``docx``: 公文 (通知, 目标责任书, 会议纪要, 汇报汇总, 督办通知) rendered from Word templates in the
  GB/T 9704-2012 layout; a district replaces a kind's template with its own on the 公文模板 page.
- ``xlsx``: the house style of every workbook, text never a formula.

Writers take plain data that selectors return and give back a file; the only thing read from the
database here is which template a district put in use.
"""
