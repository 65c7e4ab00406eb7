"""The production image and CI install the fonts the PDF reports name (issue #13 item 4: no name shows as a box).

``static/css/report.css`` asks for DejaVu Sans, Noto Sans, Noto Sans CJK and Noto Sans Arabic; the Dockerfile and
``.ci/run`` must install the Debian packages that hold them. (Whether the glyphs are embedded is read back from a
rendered PDF by the report font test.)
"""

from pathlib import Path

from django.conf import settings

PACKAGES = ("fonts-dejavu-core", "fonts-noto-core", "fonts-noto-cjk")


def test_the_dockerfile_installs_the_report_fonts():
    dockerfile = (Path(settings.BASE_DIR) / "Dockerfile").read_text()
    install = dockerfile[dockerfile.index("apt-get install") : dockerfile.index("rm -rf /var/lib/apt/lists")]
    for package in PACKAGES:
        assert package in install, package


def test_ci_installs_the_report_fonts_when_missing():
    script = (Path(settings.BASE_DIR) / ".ci" / "run").read_text()
    assert "for font in fonts-noto-core fonts-noto-cjk fonts-dejavu-core; do" in script
    assert 'need+=("$font")' in script
    assert script.index('need+=("$font")') < script.index('apt-get install -y -qq "${need[@]}"')


def test_the_report_stylesheet_names_fonts_of_those_packages():
    css = (Path(settings.BASE_DIR) / "static" / "css" / "report.css").read_text()
    for family in ('"DejaVu Sans"', '"Noto Sans"', '"Noto Sans CJK SC"', '"Noto Sans Arabic"'):
        assert family in css, family
