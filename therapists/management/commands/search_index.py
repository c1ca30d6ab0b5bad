import gc
import json
import resource
import time

from django.core.management.base import BaseCommand

from therapists.models import Therapist
from therapists.search.index import SearchIndex


def resident_mb():
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class Command(BaseCommand):
    help = "Build the search index once and report what it took (--stats prints JSON)."

    def add_arguments(self, parser):
        parser.add_argument("--stats", action="store_true", help="one line of JSON")

    def handle(self, *args, stats=False, **options):
        gc.collect()
        before = resident_mb()
        started = time.perf_counter()
        index = SearchIndex.build()
        build_seconds = time.perf_counter() - started
        gc.collect()
        # Applying one changed listing: what every worker does after an edit.
        therapist_id = Therapist.objects.listed().order_by("-id").values_list("id", flat=True)[0]
        timings = []
        for _ in range(20):
            started = time.perf_counter()
            index.apply([therapist_id])
            timings.append(time.perf_counter() - started)
        report = {
            "therapists": len(index.listed),
            "build_seconds": round(build_seconds, 2),
            "memory_mb": round(resident_mb() - before, 1),
            "apply_one_ms": round(sorted(timings)[len(timings) // 2] * 1000, 2),
            **index.stats(),
        }
        if stats:
            self.stdout.write(json.dumps(report))
        else:
            for key, value in report.items():
                self.stdout.write(f"{key}: {value}")
