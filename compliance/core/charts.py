"""Charts as inline SVG rendered on the server (pygal): one look for every page and PDF.

A chart holds only integers and fixed labels (never user text). pygal always embeds a config
``<script>`` for its tooltips; pages need none and the content security policy forbids inline
scripts, so ``chart_svg`` strips it. Its ``<style>`` element runs only with the response's CSP
nonce (``chart_svg_for_page``), and its one inline style attribute becomes an SVG attribute.
"""

from __future__ import annotations

import re

from pygal.graph.graph import Graph
from pygal.style import Style

FONT_FAMILY = "Source Sans Pro Web, Helvetica Neue, Helvetica, Roboto, Arial, sans-serif"
_SCRIPT_RE = re.compile(r"<script\b.*?</script>", re.DOTALL | re.IGNORECASE)
_STYLE_TAG_RE = re.compile(r"<style\b", re.IGNORECASE)


def chart_new(chart_class: type[Graph], *, colors: tuple[str, ...], **options) -> Graph:
    """A pygal chart of ``chart_class`` (e.g. ``pygal.Bar``) in the site's look: no script, no XML declaration.

    Args:
        chart_class: the pygal chart type.
        colors: the series colours (CSS hex), in series order.
        **options: pygal options of this chart (size, legend, labels...).
    """
    style = Style(background="transparent", plot_background="transparent", colors=colors, font_family=FONT_FAMILY)
    return chart_class(js=[], disable_xml_declaration=True, style=style, **options)


def chart_svg(chart: Graph) -> str:
    """The chart rendered as an inline SVG string, its tooltip ``<script>`` removed."""
    svg = _SCRIPT_RE.sub("", chart.render(is_unicode=True))
    # The tooltip layer's only inline style attribute (the CSP allows none) as the equivalent SVG attribute.
    return svg.replace('style="opacity: 0"', 'opacity="0"')


def chart_svg_for_page(svg: str, nonce: str) -> str:
    """``svg`` (from ``chart_svg``) with the response's CSP nonce on its ``<style>`` element (SECURITY.md F2).

    Args:
        svg: a chart rendered by ``chart_svg``.
        nonce: ``request.csp_nonce`` of the page that shows it (base64 letters only).

    Returns:
        The same SVG, whose ``<style>`` carries ``nonce="…"`` so the browser applies it.
    """
    return _STYLE_TAG_RE.sub(f'<style nonce="{nonce}"', svg)
