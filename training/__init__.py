"""The training app: roster, officer lifecycle, requirements, sessions, reminders, certificate files, roster imports."""
