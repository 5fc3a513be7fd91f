"""The scikit-learn side of bench/transform: SimpleImputer(median) ->
StandardScaler -> MinMaxScaler fit_transform on the table transform_bench
dumped (column-major float64, NaN = missing), to float32 like modelhost's
feature matrix. Prints "sklearn best_ms=... median_ms=... cpu_ms=..." (cpu_ms:
the median round's CPU time)."""
import sys
import time

import numpy as np
from sklearn.impute import SimpleImputer
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import MinMaxScaler, StandardScaler

path, rows, cols, rounds = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
# Column-major on disk; a (rows, cols) view of its transpose is what a
# DataFrame of those columns hands scikit-learn. Made contiguous first, as
# scikit-learn would copy it anyway.
X = np.ascontiguousarray(np.fromfile(path, dtype=np.float64).reshape(cols, rows).T)
times = []
cpu_times = []
for _ in range(rounds):
    start = time.perf_counter()
    cpu_start = time.process_time()
    pipeline = make_pipeline(SimpleImputer(strategy="median"), StandardScaler(), MinMaxScaler())
    features = pipeline.fit_transform(X).astype(np.float32)
    times.append(time.perf_counter() - start)
    cpu_times.append(time.process_time() - cpu_start)
    assert features.shape == (rows, cols)
times.sort()
cpu_times.sort()
print(f"sklearn best_ms={times[0] * 1e3:.1f} median_ms={times[len(times) // 2] * 1e3:.1f} "
      f"cpu_ms={cpu_times[len(cpu_times) // 2] * 1e3:.1f}")
