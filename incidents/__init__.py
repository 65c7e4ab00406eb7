"""The incidents app: detainers and their legal checks, 287(g) actions, custody, incidents and complaints."""
