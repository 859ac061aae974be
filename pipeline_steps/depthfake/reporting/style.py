"""The style sheet every standalone HTML page of the project shares (tables, detection pages,
the service's pages), inline so that each page is one self-contained file."""

PAGE_STYLE = ("body{font:14px/1.45 system-ui,sans-serif;margin:1.5em;color:#222}"
              "table{border-collapse:collapse;margin:1em 0;font-size:13px}"
              "th,td{border:1px solid #ccc;padding:3px 8px;text-align:left;"
              "white-space:nowrap}"
              "th{background:#f2f2f2}tr:nth-child(even){background:#fafafa}"
              "hr{border:0;border-top:1px solid #ccc}")
# A verdict's colour: fake in red, real in green (detection pages and the service's page).
VERDICT_STYLE = ".fake{color:#b00020;font-weight:600}.real{color:#1b5e20;font-weight:600}"
