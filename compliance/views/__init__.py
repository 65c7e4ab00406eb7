"""The top floor's pages: dashboard, findings, reports, audit history, access log."""
