"""The public transparency page: published figures per agency and period, small-count suppression, charts, CSV."""
