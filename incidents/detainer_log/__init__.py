"""The detainer log: keyset-paged page and filters, CSV/XLSX export, rows for the export and the PDF report."""
