"""Template tags of the demo: ``{% demo_queries as queries %}`` gives the seed queries (none when DEMO is off)."""

from django import template
from django.conf import settings

from console.demo.queries import SEED_QUERIES, SeedQuery

register = template.Library()


@register.simple_tag
def demo_queries() -> tuple[SeedQuery, ...]:
    """The seed queries with their GraphiQL links, when the demo is on."""
    return SEED_QUERIES if settings.DEMO else ()
