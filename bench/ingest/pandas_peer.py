"""bench/ingest's peer. `pandas_peer.py CSV`: pandas.read_csv of the file,
once; prints "seconds S" (wall), "cpu_seconds C" (process CPU time, which a
loaded machine does not inflate) and "rows N". `pandas_peer.py --profile
CSV`: reads the file (untimed), then times what modelhost's profile reports —
DataFrame.describe with the same quantiles (count, mean, std, min, max) and
nunique (distinct counts) — and prints "seconds S". run.sh calls it once per
round."""
import sys
import time

import pandas

profile = sys.argv[1] == "--profile"
path = sys.argv[2] if profile else sys.argv[1]
if profile:
    frame = pandas.read_csv(path)
    start = time.perf_counter()
    cpu_start = time.process_time()
    described = frame.describe(percentiles=[0.01, 0.25, 0.5, 0.75, 0.99])
    distinct = frame.nunique()
    cpu_seconds = time.process_time() - cpu_start
    seconds = time.perf_counter() - start
    print(f"seconds {seconds:.4f}")
    print(f"cpu_seconds {cpu_seconds:.4f}")
    print(f"columns {len(described.columns)} {len(distinct)}")
else:
    start = time.perf_counter()
    cpu_start = time.process_time()
    frame = pandas.read_csv(path)
    cpu_seconds = time.process_time() - cpu_start
    seconds = time.perf_counter() - start
    print(f"seconds {seconds:.4f}")
    print(f"cpu_seconds {cpu_seconds:.4f}")
    print(f"rows {len(frame)}")
print(f"pandas {pandas.__version__}")
