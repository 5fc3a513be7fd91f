"""bench/ingest's peer: pandas.read_csv of the same file, once; prints
"seconds S" (wall), "cpu_seconds C" (process CPU time, which a loaded machine
does not inflate) and "rows N" (run.sh calls it once per round)."""
import sys
import time

import pandas

start = time.perf_counter()
cpu_start = time.process_time()
frame = pandas.read_csv(sys.argv[1])
cpu_seconds = time.process_time() - cpu_start
seconds = time.perf_counter() - start
print(f"seconds {seconds:.4f}")
print(f"cpu_seconds {cpu_seconds:.4f}")
print(f"rows {len(frame)}")
print(f"pandas {pandas.__version__}")
