"""The compliance app's models module, as Django loads it: the core models (``compliance.core.models``)."""

from compliance.core.models import *  # noqa: F403 - Django registers the core models through this module
from compliance.core.models import __all__  # noqa: F401 - the same public names
