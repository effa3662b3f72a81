"""Re-check a Plan against its Problem from the stated times alone.

Shares nothing with the engines or with schedule.py: it reads the plan's own arrival, start and
end times and tests each rule. Tests use it on every plan; the product side can use it on a plan
a dispatcher edited by hand before applying it.
"""

from __future__ import annotations

from .model import Plan, Problem


def violations(problem: Problem, plan: Plan) -> list[str]:
    found: list[str] = []
    jobs = {job.id: job for job in problem.jobs}
    techs = {tech.id: tech for tech in problem.technicians}
    d = problem.durations
    cost_matrix = problem.costs if problem.costs is not None else problem.durations

    seen: dict[str, str] = {}
    for route in plan.routes:
        for stop in route.stops:
            if stop.job_id not in jobs:
                found.append(f"{route.technician_id}: unknown job {stop.job_id}")
            elif stop.job_id in seen:
                found.append(f"job {stop.job_id} planned twice")
            seen[stop.job_id] = route.technician_id
    for u in plan.unassigned:
        if u.job_id in seen:
            found.append(f"job {u.job_id} both planned and unassigned")
        seen.setdefault(u.job_id, "")
    for job_id in jobs:
        if job_id not in seen:
            found.append(f"job {job_id} neither planned nor unassigned")
    if len({r.technician_id for r in plan.routes}) != len(plan.routes):
        found.append("a technician has two routes")

    for route in plan.routes:
        tech = techs.get(route.technician_id)
        if tech is None:
            found.append(f"unknown technician {route.technician_id}")
            continue
        who = tech.id
        stops = [s for s in route.stops if s.job_id in jobs]
        if not stops:
            continue
        started = [job for job in problem.jobs if job.started and job.pinned_to == who]
        place = started[0].location if started else tech.start_location
        if started and stops[0].job_id != started[0].id:
            found.append(f"{who}: started job {started[0].id} is not first")
        if route.start < tech.shift[0]:
            found.append(f"{who}: leaves at {route.start}, before the shift starts at {tech.shift[0]}")
        if route.end > tech.shift[1]:
            found.append(f"{who}: back at {route.end}, after the shift ends at {tech.shift[1]}")

        # Each break once, inside its window, not overlapping anything else.
        taken = {}
        for b in route.breaks:
            if b.break_id in taken:
                found.append(f"{who}: break {b.break_id} taken twice")
            taken[b.break_id] = b
        for brk in tech.breaks:
            b = taken.get(brk.id)
            if b is None:
                found.append(f"{who}: break {brk.id} not taken")
            elif not brk.window[0] <= b.start <= brk.window[1] or b.end - b.start != brk.duration:
                found.append(f"{who}: break {brk.id} at {b.start}-{b.end}, outside {brk.window} or not "
                             f"{brk.duration} long")
        for b in route.breaks:
            if b.break_id not in {brk.id for brk in tech.breaks}:
                found.append(f"{who}: unknown break {b.break_id}")
            for s in stops:
                if b.start < s.end and s.start < b.end:
                    found.append(f"{who}: break {b.break_id} overlaps job {s.job_id}")

        def breaks_within(low: int, high: int, breaks=route.breaks) -> int:
            return sum(b.end - b.start for b in breaks if low <= b.start and b.end <= high)

        now, travel, cost, load = route.start, 0, 0, 0
        for s in stops:
            job = jobs[s.job_id]
            leg = int(d[place][job.location])
            if s.arrival < now + leg + breaks_within(now, s.start):
                found.append(f"{who}: job {job.id} reached at {s.arrival}, too early to have come from the last place")
            if s.start < s.arrival or s.end - s.start != job.duration:
                found.append(f"{who}: job {job.id} runs {s.start}-{s.end}, arrival {s.arrival}")
            if job.started and s.start != tech.shift[0]:
                found.append(f"{who}: started job {job.id} not at the shift start")
            elif job.windows and not any(low <= s.start <= high for low, high in job.windows):
                found.append(f"{who}: job {job.id} starts at {s.start}, outside its windows {job.windows}")
            if not job.skills <= tech.skills and job.pinned_to != who:
                found.append(f"{who}: lacks a skill for job {job.id} ({sorted(job.skills - tech.skills)})")
            if job.pinned_to is not None and job.pinned_to != who:
                found.append(f"{who}: job {job.id} is pinned to {job.pinned_to}")
            travel += leg
            cost += int(cost_matrix[place][job.location])
            load += job.load
            now, place = s.end, job.location
        leg = int(d[place][tech.end])
        if route.end < now + leg + breaks_within(now, route.end):
            found.append(f"{who}: back at {route.end}, too early to have come from the last job")
        travel += leg
        cost += int(cost_matrix[place][tech.end])
        if tech.capacity is not None and load > tech.capacity:
            found.append(f"{who}: load {load} over capacity {tech.capacity}")
        if tech.max_jobs is not None and len(stops) > tech.max_jobs:
            found.append(f"{who}: {len(stops)} jobs, over the limit of {tech.max_jobs}")
        if travel != route.travel_time or cost != route.cost:
            found.append(f"{who}: travel {route.travel_time} / cost {route.cost} stated, {travel} / {cost} found")
    if sum(r.cost for r in plan.routes) != plan.cost:
        found.append("plan cost is not the sum of its routes")
    return found
