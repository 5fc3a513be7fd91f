// nn_bench: the modelhost side of bench/nn (see bench/README.md, "nn").
//
// One binary, one subcommand per measurement; each prints one line of
// space-separated key=value pairs (the format torch_peer.py prints too), so
// bench/nn/run.sh can put the two sides next to each other:
//
//   nn_bench fit_seed  --threads N   µs per training step of the seed model
//   nn_bench mlp       --threads N   samples/s and GFLOP/s, 784-512-512-10
//   nn_bench predict   --threads N   Predict latency, 1 and 32 rows
//   nn_bench peak      --threads N   cblas_sgemm GFLOP/s on square matrices
//
// The data are random (fixed seeds): these benchmarks time the engine, not
// learning. The OpenBLAS thread count is set explicitly from --threads.

#include <cblas.h>
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "nn/loss.h"
#include "nn/matrix.h"
#include "nn/network_spec.h"
#include "nn/optimizer.h"
#include "nn/sequential.h"
#include "nn/trainer.h"

namespace modelhost::nn {
namespace {

using Clock = std::chrono::steady_clock;

constexpr std::string_view kSeedSpec = R"({"input_dim": 8, "layers": [
    {"dense": 10, "activation": "relu"},
    {"dense": 10, "activation": "relu"},
    {"dense": 1, "activation": "sigmoid"}]})";

constexpr std::string_view kMlpSpec = R"({"input_dim": 784, "layers": [
    {"dense": 512, "activation": "relu"},
    {"dense": 512, "activation": "relu"},
    {"dense": 10, "activation": "softmax"}]})";

struct Flags {
  int threads = 1;
  int epochs = 100;      // fit_seed
  size_t rows = 0;       // 0: the subcommand's default
  size_t calls = 20000;  // predict: timed calls per batch size
  size_t peak_n = 2048;  // peak: matrix order
  int peak_repeats = 3;  // peak: best of
};

[[noreturn]] void Die(const std::string& message) {
  std::fprintf(stderr, "nn_bench: %s\n", message.c_str());
  std::exit(2);
}

template <typename T>
T Check(core::Result<T> result, const char* what) {
  if (!result.ok()) Die(std::string(what) + ": " + result.status().ToString());
  return std::move(*result);
}

double Seconds(Clock::duration duration) { return std::chrono::duration<double>(duration).count(); }

// User + system CPU seconds of this process (all threads) so far. On a box
// shared with other work, wall time counts the time others hold the CPU;
// CPU time does not, so the two together tell load from slowness.
double CpuSeconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  auto seconds = [](const timeval& time) { return time.tv_sec + time.tv_usec * 1e-6; };
  return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

Matrix RandomUniform(size_t rows, size_t cols, uint64_t seed) {
  Matrix matrix(rows, cols);
  std::mt19937_64 generator(seed);
  std::uniform_real_distribution<float> uniform(0.0f, 1.0f);
  for (float& value : matrix.values()) value = uniform(generator);
  return matrix;
}

// [rows, 1] targets holding integers in [0, classes) as floats.
Matrix RandomClasses(size_t rows, int classes, uint64_t seed) {
  Matrix matrix(rows, 1);
  std::mt19937_64 generator(seed);
  std::uniform_int_distribution<int> pick(0, classes - 1);
  for (float& value : matrix.values()) value = static_cast<float>(pick(generator));
  return matrix;
}

std::unique_ptr<Sequential> Build(std::string_view spec_json, size_t input_width) {
  NetworkSpec spec = Check(ParseNetworkSpec(spec_json), "spec");
  return Check(Sequential::Create(spec, input_width, /*seed=*/1), "model");
}

// Trains `model` and returns the wall time of Fit alone.
double TimedFit(Sequential& model, LossKind loss_kind, const Matrix& features,
                const Matrix& targets, int epochs, size_t batch_size) {
  Loss loss = Check(Loss::Create({.kind = loss_kind}), "loss");
  std::unique_ptr<Optimizer> optimizer = Check(MakeOptimizer("adam"), "optimizer");
  FitOptions options;
  options.epochs = epochs;
  options.batch_size = batch_size;
  options.seed = 7;
  Clock::time_point start = Clock::now();
  History history = Check(Fit(model, loss, *optimizer, {}, {&features, &targets}, options), "fit");
  double seconds = Seconds(Clock::now() - start);
  if (history.epochs.empty()) Die("fit ran no epoch");
  return seconds;
}

void FitSeed(const Flags& flags) {
  const size_t rows = flags.rows ? flags.rows : 768;
  constexpr size_t kBatch = 32;
  Matrix features = RandomUniform(rows, 8, 11);
  Matrix targets = RandomClasses(rows, 2, 12);
  std::unique_ptr<Sequential> model = Build(kSeedSpec, 8);
  TimedFit(*model, LossKind::kBinaryCrossentropy, features, targets, 2, kBatch);  // warm-up
  double seconds =
      TimedFit(*model, LossKind::kBinaryCrossentropy, features, targets, flags.epochs, kBatch);
  const size_t steps = static_cast<size_t>(flags.epochs) * ((rows + kBatch - 1) / kBatch);
  std::printf(
      "bench=fit_seed side=modelhost threads=%d rows=%zu epochs=%d steps=%zu "
      "seconds=%.4f us_per_step=%.3f\n",
      flags.threads, rows, flags.epochs, steps, seconds, seconds * 1e6 / steps);
}

// Floating-point operations per training sample of a stack of Dense layers:
// three GEMMs of 2·in·out per layer (forward, weight gradient, input
// gradient), less the first layer's input gradient, which nothing needs.
double TrainingFlopsPerSample(const std::vector<size_t>& widths) {
  double flops = 0.0;
  for (size_t layer = 0; layer + 1 < widths.size(); ++layer) {
    double gemm = 2.0 * static_cast<double>(widths[layer]) * static_cast<double>(widths[layer + 1]);
    flops += (layer == 0 ? 2.0 : 3.0) * gemm;
  }
  return flops;
}

void Mlp(const Flags& flags) {
  const size_t rows = flags.rows ? flags.rows : 60000;
  constexpr size_t kBatch = 256;
  Matrix features = RandomUniform(rows, 784, 21);
  Matrix targets = RandomClasses(rows, 10, 22);
  Matrix warm_features = RandomUniform(4 * kBatch, 784, 23);
  Matrix warm_targets = RandomClasses(4 * kBatch, 10, 24);
  std::unique_ptr<Sequential> model = Build(kMlpSpec, 784);
  TimedFit(*model, LossKind::kSparseCategoricalCrossentropy, warm_features, warm_targets, 1,
           kBatch);
  const double cpu_start = CpuSeconds();
  double seconds =
      TimedFit(*model, LossKind::kSparseCategoricalCrossentropy, features, targets, 1, kBatch);
  const double cpu_seconds = CpuSeconds() - cpu_start;
  const double flops = TrainingFlopsPerSample({784, 512, 512, 10}) * static_cast<double>(rows);
  std::printf(
      "bench=mlp side=modelhost threads=%d rows=%zu batch=%zu seconds=%.4f "
      "samples_per_s=%.1f gflops=%.3f cpu_seconds=%.4f\n",
      flags.threads, rows, kBatch, seconds, rows / seconds, flops / seconds / 1e9, cpu_seconds);
}

void Predict(const Flags& flags) {
  std::unique_ptr<Sequential> model = Build(kSeedSpec, 8);
  for (size_t batch : {size_t{1}, size_t{32}}) {
    Matrix features = RandomUniform(batch, 8, 31 + batch);
    Matrix output;
    std::vector<double> latencies_us;
    latencies_us.reserve(flags.calls);
    for (size_t call = 0; call < flags.calls / 10; ++call) {  // warm-up
      if (!model->Predict(features, &output).ok()) Die("predict failed");
    }
    for (size_t call = 0; call < flags.calls; ++call) {
      Clock::time_point start = Clock::now();
      core::Status status = model->Predict(features, &output);
      Clock::time_point end = Clock::now();
      if (!status.ok()) Die("predict: " + status.ToString());
      latencies_us.push_back(Seconds(end - start) * 1e6);
    }
    std::sort(latencies_us.begin(), latencies_us.end());
    const double median = latencies_us[latencies_us.size() / 2];
    const double p99 = latencies_us[latencies_us.size() * 99 / 100];
    std::printf(
        "bench=predict side=modelhost threads=%d batch=%zu calls=%zu median_us=%.3f "
        "p99_us=%.3f\n",
        flags.threads, batch, flags.calls, median, p99);
  }
}

void Peak(const Flags& flags) {
  const size_t n = flags.peak_n;
  Matrix a = RandomUniform(n, n, 41), b = RandomUniform(n, n, 42), c(n, n);
  const int order = static_cast<int>(n);
  auto multiply = [&] {
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, order, order, order, 1.0f, a.data(),
                order, b.data(), order, 0.0f, c.data(), order);
  };
  multiply();  // warm-up: page in, start the BLAS threads
  double best = 1e300, best_cpu = 1e300;
  for (int repeat = 0; repeat < flags.peak_repeats; ++repeat) {
    const double cpu_start = CpuSeconds();
    Clock::time_point start = Clock::now();
    multiply();
    best = std::min(best, Seconds(Clock::now() - start));
    best_cpu = std::min(best_cpu, CpuSeconds() - cpu_start);
  }
  const double flops =
      2.0 * static_cast<double>(n) * static_cast<double>(n) * static_cast<double>(n);
  std::printf(
      "bench=peak side=openblas threads=%d n=%zu seconds=%.4f gflops=%.3f cpu_seconds=%.4f\n",
      flags.threads, n, best, flops / best / 1e9, best_cpu);
}

Flags ParseFlags(int argc, char** argv) {
  Flags flags;
  for (int index = 2; index < argc; ++index) {
    std::string_view flag = argv[index];
    if (index + 1 >= argc) Die("missing value after " + std::string(flag));
    const char* value = argv[++index];
    if (flag == "--threads") {
      flags.threads = std::atoi(value);
    } else if (flag == "--epochs") {
      flags.epochs = std::atoi(value);
    } else if (flag == "--rows") {
      flags.rows = std::strtoul(value, nullptr, 10);
    } else if (flag == "--calls") {
      flags.calls = std::strtoul(value, nullptr, 10);
    } else if (flag == "--peak-n") {
      flags.peak_n = std::strtoul(value, nullptr, 10);
    } else if (flag == "--peak-repeats") {
      flags.peak_repeats = std::atoi(value);
    } else {
      Die("unknown flag " + std::string(flag));
    }
  }
  if (flags.threads < 1 || flags.epochs < 1 || flags.calls < 100 || flags.peak_n < 64 ||
      flags.peak_repeats < 1) {
    Die("flag out of range");
  }
  return flags;
}

int Main(int argc, char** argv) {
  if (argc < 2) Die("usage: nn_bench fit_seed|mlp|predict|peak [--threads N] [...]");
  std::string_view command = argv[1];
  Flags flags = ParseFlags(argc, argv);
  openblas_set_num_threads(flags.threads);
  if (openblas_get_num_threads() != flags.threads) Die("OpenBLAS did not take the thread count");
  if (command == "fit_seed") {
    FitSeed(flags);
  } else if (command == "mlp") {
    Mlp(flags);
  } else if (command == "predict") {
    Predict(flags);
  } else if (command == "peak") {
    Peak(flags);
  } else {
    Die("unknown subcommand " + std::string(command));
  }
  return 0;
}

}  // namespace
}  // namespace modelhost::nn

int main(int argc, char** argv) { return modelhost::nn::Main(argc, argv); }
