"""bench/ingest's peer: pandas.read_csv of the same file, once; prints
"seconds S" and "rows N" (run.sh calls it once per round)."""
import sys
import time

import pandas

start = time.perf_counter()
frame = pandas.read_csv(sys.argv[1])
seconds = time.perf_counter() - start
print(f"seconds {seconds:.4f}")
print(f"rows {len(frame)}")
print(f"pandas {pandas.__version__}")
