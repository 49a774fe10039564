#!/usr/bin/python3
"""Peer of bench/kernel-mmc.ts: the same M/M/4 model (lambda = 3.2/s, mu = 1/s) in SimPy 3.

Debian's python3-simpy3 installs into the system interpreter, so run it with /usr/bin/python3
(a pyenv or venv `python3` will not see it):

    /usr/bin/python3 bench/peers/mmc_simpy.py <customers> <seed>

One SimPy process per customer (request, timeout, release), a source process drawing exponential
inter-arrival times, random.Random(seed). Prints one JSON line:
{customers, wallSeconds, meanResponse, waitProbability}. Wall time covers env.run() only.
"""
import json
import random
import sys
import time

try:
    import simpy
except ImportError:  # pragma: no cover - environment problem, reported plainly
    sys.stderr.write("mmc_simpy.py: SimPy is missing; apt-get install python3-simpy3 and use /usr/bin/python3\n")
    sys.exit(2)

LAMBDA = 3.2
MU = 1.0
SERVERS = 4


def main():
    customers = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    seed = sys.argv[2] if len(sys.argv) > 2 else "1"
    rng = random.Random(seed)
    env = simpy.Environment()
    servers = simpy.Resource(env, capacity=SERVERS)
    stats = {"n": 0, "sum": 0.0, "waited": 0}

    def customer():
        arrival = env.now
        with servers.request() as req:
            yield req
            if env.now > arrival:
                stats["waited"] += 1
            yield env.timeout(rng.expovariate(MU))
        stats["n"] += 1
        stats["sum"] += env.now - arrival

    def source():
        for _ in range(customers):
            yield env.timeout(rng.expovariate(LAMBDA))
            env.process(customer())

    env.process(source())
    t0 = time.perf_counter()
    env.run()
    wall = time.perf_counter() - t0
    n = stats["n"]
    print(json.dumps({
        "customers": n,
        "wallSeconds": wall,
        "meanResponse": stats["sum"] / n if n else None,
        "waitProbability": stats["waited"] / n if n else None,
    }))


if __name__ == "__main__":
    main()
