"""Host-speed calibration printed beside benchmark figures: 10 million additions in a Python for-loop.

It takes 0.32 s on this machine's best hour; docs/benchmarks.md quotes it beside each run, since the
shared host's speed changes by a factor of two to three from hour to hour.
"""

import time

started = time.perf_counter()
total = 0
for i in range(10_000_000):
    total += i
print(f"loop {time.perf_counter() - started:.3f} s")
