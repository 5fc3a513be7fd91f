// blas_bench: sgemm throughput of OpenBLAS (cblas_sgemm, what src/nn/kernels.cc
// calls) against oneDNN (dnnl_sgemm) at the shapes the nn engine runs (see
// bench/README.md, "blas").
//
//   blas_bench time --lib openblas|dnnl --threads N [--min-time S]
//       one line per shape: µs per call (median over blocks of calls) and GFLOP/s
//   blas_bench check
//       runs every shape through both libraries and compares the results
//   blas_bench shapes
//       lists the shapes (name op m n k engine)
//
// Each `time` process measures one library only: oneDNN runs on a GNU OpenMP
// team and OpenBLAS on its own pthreads, and an OpenMP team left spinning in the
// same process would take the CPUs the other library needs. bench/blas/run.sh
// alternates the two processes. Both libraries get row-major operands with the
// engine's leading dimensions and beta = 0, as Gemm in src/nn/kernels.cc does.

#include <cblas.h>
#include <omp.h>
#include <oneapi/dnnl/dnnl.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <string_view>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;

struct Shape {
  const char* name;
  bool ta;  // op(A) = Aᵀ: A is stored [k, m]
  bool tb;  // op(B) = Bᵀ: B is stored [n, k]
  long m, n, k;
  bool engine;  // false: a product the engine skips (the first layer's input gradient)
};

// Dense layer [in → out] at batch b: forward X·W (NN, b×out×in), kernel
// gradient Xᵀ·dZ (TN, in×out×b), input gradient dZ·Wᵀ (NT, b×in×out).
constexpr Shape kShapes[] = {
    // Seed model, batch 32: 8 → 10 → 10 → 1.
    {"seed.l1.fwd", false, false, 32, 10, 8, true},
    {"seed.l1.dW", true, false, 8, 10, 32, true},
    {"seed.l1.dX", false, true, 32, 8, 10, false},
    {"seed.l2.fwd", false, false, 32, 10, 10, true},
    {"seed.l2.dW", true, false, 10, 10, 32, true},
    {"seed.l2.dX", false, true, 32, 10, 10, true},
    {"seed.l3.fwd", false, false, 32, 1, 10, true},
    {"seed.l3.dW", true, false, 10, 1, 32, true},
    {"seed.l3.dX", false, true, 32, 10, 1, true},
    // MLP, batch 256: 784 → 512 → 512 → 10.
    {"mlp.l1.fwd", false, false, 256, 512, 784, true},
    {"mlp.l1.dW", true, false, 784, 512, 256, true},
    {"mlp.l1.dX", false, true, 256, 784, 512, false},
    {"mlp.l2.fwd", false, false, 256, 512, 512, true},
    {"mlp.l2.dW", true, false, 512, 512, 256, true},
    {"mlp.l2.dX", false, true, 256, 512, 512, true},
    {"mlp.l3.fwd", false, false, 256, 10, 512, true},
    {"mlp.l3.dW", true, false, 512, 10, 256, true},
    {"mlp.l3.dX", false, true, 256, 512, 10, true},
    // The square peak nn_bench measures.
    {"square.2048", false, false, 2048, 2048, 2048, true},
};

enum class Lib { kOpenBlas, kDnnl };

[[noreturn]] void Die(const std::string& message) {
  std::fprintf(stderr, "blas_bench: %s\n", message.c_str());
  std::exit(2);
}

struct Operands {
  std::vector<float> a, b, c;
};

Operands Make(const Shape& s, uint64_t seed) {
  Operands o;
  o.a.resize(static_cast<size_t>(s.m * s.k));
  o.b.resize(static_cast<size_t>(s.k * s.n));
  o.c.assign(static_cast<size_t>(s.m * s.n), 0.0f);
  std::mt19937_64 generator(seed);
  std::uniform_real_distribution<float> uniform(-1.0f, 1.0f);
  for (float& v : o.a) v = uniform(generator);
  for (float& v : o.b) v = uniform(generator);
  return o;
}

// C = op(A)·op(B), row-major, leading dimensions = stored row lengths.
void Sgemm(Lib lib, const Shape& s, const float* a, const float* b, float* c) {
  const long lda = std::max(1L, s.ta ? s.m : s.k);
  const long ldb = std::max(1L, s.tb ? s.k : s.n);
  const long ldc = std::max(1L, s.n);
  if (lib == Lib::kOpenBlas) {
    cblas_sgemm(CblasRowMajor, s.ta ? CblasTrans : CblasNoTrans, s.tb ? CblasTrans : CblasNoTrans,
                static_cast<int>(s.m), static_cast<int>(s.n), static_cast<int>(s.k), 1.0f, a,
                static_cast<int>(lda), b, static_cast<int>(ldb), 0.0f, c, static_cast<int>(ldc));
  } else {
    dnnl_status_t status = dnnl_sgemm(s.ta ? 'T' : 'N', s.tb ? 'T' : 'N', s.m, s.n, s.k, 1.0f, a,
                                      lda, b, ldb, 0.0f, c, ldc);
    if (status != dnnl_success) Die("dnnl_sgemm failed on " + std::string(s.name));
  }
}

double Seconds(Clock::duration d) { return std::chrono::duration<double>(d).count(); }

double Median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  const size_t n = values.size();
  return n % 2 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
}

void SetThreads(Lib lib, int threads) {
  if (lib == Lib::kOpenBlas) {
    openblas_set_num_threads(threads);
    if (openblas_get_num_threads() != threads) Die("openblas_set_num_threads did not take");
  } else {
    omp_set_num_threads(threads);
    if (omp_get_max_threads() != threads) Die("omp_set_num_threads did not take");
  }
}

// µs per call: calls are timed in blocks long enough (≥ 50 µs) for the clock
// to be exact; the result is the median of the blocks' per-call times.
void Time(Lib lib, int threads, double min_time) {
  SetThreads(lib, threads);
  const char* lib_name = lib == Lib::kOpenBlas ? "openblas" : "dnnl";
  uint64_t seed = 1;
  for (const Shape& s : kShapes) {
    Operands o = Make(s, seed++);
    // Warm-up: ≥ 3 calls and ≥ 20 ms (the first call may generate code), then
    // ≥ 10 ms more for the estimate of one call that sizes the blocks.
    auto run_for = [&](double seconds) {
      long calls = 0;
      Clock::time_point t0 = Clock::now();
      while (calls < 3 || Seconds(Clock::now() - t0) < seconds) {
        Sgemm(lib, s, o.a.data(), o.b.data(), o.c.data());
        ++calls;
      }
      return Seconds(Clock::now() - t0) / static_cast<double>(calls);
    };
    run_for(0.02);
    const double estimate = run_for(0.01);
    const long block = std::max(1L, static_cast<long>(std::ceil(50e-6 / estimate)));
    std::vector<double> per_call;
    long calls = 0;
    Clock::time_point start = Clock::now();
    while (per_call.size() < 7 ||
           (Seconds(Clock::now() - start) < min_time && per_call.size() < 4000)) {
      Clock::time_point t0 = Clock::now();
      for (long i = 0; i < block; ++i) Sgemm(lib, s, o.a.data(), o.b.data(), o.c.data());
      per_call.push_back(Seconds(Clock::now() - t0) / static_cast<double>(block));
      calls += block;
    }
    const double us = Median(per_call) * 1e6;
    const double gflops = 2.0 * static_cast<double>(s.m * s.n * s.k) / (us * 1e3);
    std::printf(
        "lib=%s threads=%d shape=%s op=%c%c m=%ld n=%ld k=%ld engine=%d us=%.4f gflops=%.3f "
        "calls=%ld blocks=%zu\n",
        lib_name, threads, s.name, s.ta ? 'T' : 'N', s.tb ? 'T' : 'N', s.m, s.n, s.k,
        s.engine ? 1 : 0, us, gflops, calls, per_call.size());
    std::fflush(stdout);
  }
}

// Both libraries against each other on every shape: the largest difference,
// relative to the largest |C| entry, must be at float rounding level.
int Check() {
  int failures = 0;
  uint64_t seed = 1;
  for (const Shape& s : kShapes) {
    Operands o = Make(s, seed++);
    std::vector<float> c_dnnl(o.c.size(), 0.0f);
    Sgemm(Lib::kOpenBlas, s, o.a.data(), o.b.data(), o.c.data());
    Sgemm(Lib::kDnnl, s, o.a.data(), o.b.data(), c_dnnl.data());
    double scale = 0.0, diff = 0.0;
    for (size_t i = 0; i < o.c.size(); ++i) {
      scale = std::max(scale, std::fabs(static_cast<double>(o.c[i])));
      diff = std::max(diff, std::fabs(static_cast<double>(o.c[i]) - c_dnnl[i]));
    }
    const double relative = scale > 0 ? diff / scale : diff;
    const bool ok = relative < 1e-4;
    failures += ok ? 0 : 1;
    std::printf("check shape=%s max_rel_diff=%.3g %s\n", s.name, relative, ok ? "ok" : "MISMATCH");
  }
  return failures ? 1 : 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) Die("usage: blas_bench time|check|shapes [--lib openblas|dnnl] [--threads N]");
  const std::string_view command = argv[1];
  Lib lib = Lib::kOpenBlas;
  int threads = 1;
  double min_time = 0.3;
  for (int i = 2; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (i + 1 >= argc) Die("missing value after " + std::string(arg));
    const char* value = argv[++i];
    if (arg == "--lib") {
      const std::string_view name = value;
      if (name == "openblas") {
        lib = Lib::kOpenBlas;
      } else if (name == "dnnl") {
        lib = Lib::kDnnl;
      } else {
        Die("unknown --lib " + std::string(name));
      }
    } else if (arg == "--threads") {
      threads = std::atoi(value);
      if (threads < 1) Die("--threads wants a positive integer");
    } else if (arg == "--min-time") {
      min_time = std::atof(value);
    } else {
      Die("unknown flag " + std::string(arg));
    }
  }
  if (command == "time") {
    Time(lib, threads, min_time);
    return 0;
  }
  if (command == "check") {
    SetThreads(Lib::kOpenBlas, 1);
    SetThreads(Lib::kDnnl, 1);
    return Check();
  }
  if (command == "shapes") {
    for (const Shape& s : kShapes) {
      std::printf("%s %c%c %ld %ld %ld %d\n", s.name, s.ta ? 'T' : 'N', s.tb ? 'T' : 'N', s.m, s.n,
                  s.k, s.engine ? 1 : 0);
    }
    return 0;
  }
  Die("unknown command " + std::string(command));
}
