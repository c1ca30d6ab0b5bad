"""Prints PostgreSQL's plan for each listing page's result query and flags a sequential scan
of the therapists table. Run with DATABASE_URL pointing at a seeded database:

    DATABASE_URL=postgres://... DEBUG=1 python manage.py shell < scripts/explain.py
"""

from django.db import connection
from django.test import RequestFactory

from therapists.views import TherapistListView

PAGES = [
    "/therapists/",
    "/therapists/?page=50",
    "/therapists/?modality=cognitive-behavioral-therapy&city=los-angeles-ca",
    "/therapists/?state=CA&telehealth=on",
    "/therapists/?near=90012&radius=25&concern=anxiety&language=spanish&telehealth=on",
    "/therapists/?q=cedar",
    "/therapists/?order=name&page=10",
]


def plan(queryset):
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY ON) {sql}", params)
        return [row[0] for row in cursor.fetchall()]


for url in PAGES:
    view = TherapistListView()
    view.setup(RequestFactory().get(url))
    view.filterset = view.get_filterset(view.get_filterset_class())
    assert not view.filterset.is_bound or view.filterset.is_valid(), view.filterset.errors
    page = view.filterset.qs[(int(view.request.GET.get("page", 1)) - 1) * 20 :][:20]
    lines = plan(page)
    seq = [line for line in lines if "Seq Scan on therapists_therapist " in line]
    took = next((line for line in lines if "Execution Time" in line), "")
    verdict = "SEQUENTIAL SCAN of therapists" if seq else "no sequential scan"
    print(f"{url}\n  {verdict}; {took.strip()}")
    for line in lines:
        if "Scan" in line or "Sort" in line or "Limit" in line:
            print("   ", line.strip()[:120])
