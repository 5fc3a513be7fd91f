#!/usr/bin/python3
"""The PyTorch side of bench/nn: what nn_bench measures, as a plain PyTorch
program would do it. Prints the same key=value lines as nn_bench.

  torch_peer.py fit_seed|mlp|predict [--threads N] [--epochs E] [--rows R] [--calls C]

Run with Debian's python3-torch (/usr/bin/python3). Its BLAS is the system
libblas.so.3 (OpenBLAS on this machine), so OPENBLAS_NUM_THREADS, which
run.sh sets, applies to it as to nn_bench; torch.set_num_threads is set here.
"""

import argparse
import time

import torch
from torch import nn


def seed_model():
    # Keras's seed example; the sigmoid is fused into the loss
    # (BCEWithLogitsLoss), as modelhost fuses it.
    return nn.Sequential(nn.Linear(8, 10), nn.ReLU(), nn.Linear(10, 10), nn.ReLU(),
                         nn.Linear(10, 1))


def mlp_model():
    # The softmax is fused into CrossEntropyLoss.
    return nn.Sequential(nn.Linear(784, 512), nn.ReLU(), nn.Linear(512, 512), nn.ReLU(),
                         nn.Linear(512, 10))


def train(model, loss_fn, features, targets, epochs, batch_size, generator):
    """A plain training loop: shuffle each epoch, adam step per batch, epoch loss."""
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    rows = features.shape[0]
    for _ in range(epochs):
        order = torch.randperm(rows, generator=generator)
        total = 0.0
        for start in range(0, rows, batch_size):
            index = order[start:start + batch_size]
            optimizer.zero_grad(set_to_none=True)
            loss = loss_fn(model(features[index]), targets[index])
            loss.backward()
            optimizer.step()
            total += loss.item() * index.shape[0]
    return total / rows


def fit_seed(args):
    rows = args.rows or 768
    batch = 32
    generator = torch.Generator().manual_seed(11)
    features = torch.rand(rows, 8, generator=generator)
    targets = torch.randint(0, 2, (rows, 1), generator=generator).float()
    model = seed_model()
    loss_fn = nn.BCEWithLogitsLoss()
    train(model, loss_fn, features, targets, 2, batch, generator)  # warm-up
    start = time.perf_counter()
    train(model, loss_fn, features, targets, args.epochs, batch, generator)
    seconds = time.perf_counter() - start
    steps = args.epochs * ((rows + batch - 1) // batch)
    print(f"bench=fit_seed side=torch threads={args.threads} rows={rows} epochs={args.epochs} "
          f"steps={steps} seconds={seconds:.4f} us_per_step={seconds * 1e6 / steps:.3f}")


def training_flops_per_sample(widths):
    # As nn_bench: 3 GEMMs per Dense layer, the first layer's input gradient excepted.
    return sum((2.0 if layer == 0 else 3.0) * 2.0 * widths[layer] * widths[layer + 1]
               for layer in range(len(widths) - 1))


def mlp(args):
    rows = args.rows or 60000
    batch = 256
    generator = torch.Generator().manual_seed(21)
    features = torch.rand(rows, 784, generator=generator)
    targets = torch.randint(0, 10, (rows,), generator=generator)
    model = mlp_model()
    loss_fn = nn.CrossEntropyLoss()
    train(model, loss_fn, features[:4 * batch], targets[:4 * batch], 1, batch, generator)
    cpu_start = time.process_time()
    start = time.perf_counter()
    train(model, loss_fn, features, targets, 1, batch, generator)
    seconds = time.perf_counter() - start
    cpu_seconds = time.process_time() - cpu_start
    flops = training_flops_per_sample([784, 512, 512, 10]) * rows
    print(f"bench=mlp side=torch threads={args.threads} rows={rows} batch={batch} "
          f"seconds={seconds:.4f} samples_per_s={rows / seconds:.1f} "
          f"gflops={flops / seconds / 1e9:.3f} cpu_seconds={cpu_seconds:.4f}")


def predict(args):
    # Predict returns probabilities, so the sigmoid is part of the model here.
    model = nn.Sequential(seed_model(), nn.Sigmoid()).eval()
    generator = torch.Generator().manual_seed(31)
    for batch in (1, 32):
        features = torch.rand(batch, 8, generator=generator)
        latencies = []
        with torch.no_grad():
            for _ in range(args.calls // 10):  # warm-up
                model(features)
            for _ in range(args.calls):
                start = time.perf_counter_ns()
                model(features)
                latencies.append((time.perf_counter_ns() - start) / 1e3)
        latencies.sort()
        median = latencies[len(latencies) // 2]
        p99 = latencies[len(latencies) * 99 // 100]
        print(f"bench=predict side=torch threads={args.threads} batch={batch} "
              f"calls={args.calls} median_us={median:.3f} p99_us={p99:.3f}")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("command", choices=["fit_seed", "mlp", "predict"])
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--epochs", type=int, default=100)
    parser.add_argument("--rows", type=int, default=0)
    parser.add_argument("--calls", type=int, default=20000)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    torch.set_num_interop_threads(1)
    torch.manual_seed(1)
    {"fit_seed": fit_seed, "mlp": mlp, "predict": predict}[args.command](args)


if __name__ == "__main__":
    main()
