#!/usr/bin/python3
"""bench/compare's PyTorch side of the Pima comparison: the seed network
(bench/nn/torch_peer.py's seed_model and training loop, reused) trained on
TRAIN standardized with its own mean and standard deviation, then scored on
TEST. Runs under Debian's python3-torch (/usr/bin/python3).

  torch_pima.py TRAIN TEST EPOCHS THREADS

Prints one JSON object: seconds (the training loop), accuracy (on TEST)."""
import json
import os
import sys
import time

import numpy as np
import torch
from torch import nn

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "nn"))
from torch_peer import seed_model, train  # noqa: E402


def load(path):
    data = np.loadtxt(path, delimiter=",", skiprows=1, dtype=np.float64)
    return data[:, :-1], data[:, -1:]


def main():
    train_path, test_path, epochs, threads = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    torch.set_num_threads(threads)
    torch.set_num_interop_threads(1)
    torch.manual_seed(1)
    x_train, y_train = load(train_path)
    x_test, y_test = load(test_path)
    mean, std = x_train.mean(axis=0), x_train.std(axis=0)
    features = torch.tensor((x_train - mean) / std, dtype=torch.float32)
    targets = torch.tensor(y_train, dtype=torch.float32)
    model = seed_model()
    generator = torch.Generator().manual_seed(11)
    start = time.perf_counter()
    train(model, nn.BCEWithLogitsLoss(), features, targets, epochs, 32, generator)
    seconds = time.perf_counter() - start
    with torch.no_grad():
        logits = model(torch.tensor((x_test - mean) / std, dtype=torch.float32)).numpy()
    accuracy = float(((logits > 0).astype(np.float64) == y_test).mean())
    print(json.dumps({"seconds": seconds, "accuracy": accuracy, "version": torch.__version__}))


if __name__ == "__main__":
    main()
