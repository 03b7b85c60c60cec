"""The whole demo organization: people and OKRs (okrs.demo), KPIs with a year of data (kpis.demo), then
a guardrail, an initiative and a business review (insights.demo). Safe to run again."""

from insights.demo import demo_insight_load
from kpis.demo import demo_kpis_load
from okrs import demo as okr_demo
from okrs.demo import DEMO_LANGUAGES, DEMO_USERS, DemoResult

__all__ = ["DEMO_LANGUAGES", "DEMO_USERS", "demo_load"]


def demo_load(*, password: str | None = None, language: str = "en") -> DemoResult:
    result = okr_demo.demo_load(password=password, language=language, extras=[demo_kpis_load])
    demo_insight_load(result.organization)
    return result
