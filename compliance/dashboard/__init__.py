"""The supervisor dashboard: its figures (``figures``), 12-month trends (``trends``), charts and their cache.

``dashboard_figures(agency=, now=)`` is the one entry point; ``DashboardFigures.charts`` is the list of
``DashboardChart(title, svg, link)`` the page and the review packet PDF both draw.
"""

from compliance.dashboard.charts import roster_chart_svg
from compliance.dashboard.figures import DashboardChart, DashboardFigures, dashboard_figures, quarter_bounds

__all__ = ["DashboardChart", "DashboardFigures", "dashboard_figures", "quarter_bounds", "roster_chart_svg"]
