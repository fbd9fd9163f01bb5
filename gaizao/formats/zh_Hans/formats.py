# Figures in tables and cards group by thousands with commas (2,473 户), as statistical
# reports do; only where a template asks for grouping (intcomma, floatformat "g").
from django.conf.locale.zh_Hans.formats import *  # noqa: F401,F403

THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3
