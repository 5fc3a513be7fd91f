"""modelhost.keras end to end against the real server: the issue's example
nearly verbatim (with numpy when installed, with lists always), training on a
server dataset with a pipeline, classes and regression, and the progress
lines fit prints."""

from __future__ import annotations

import contextlib
import csv
import io
import os
import unittest

from modelhost import Client, InvalidArgumentError, TrainingJobError
from modelhost.events import Event
from modelhost.keras import Dense, Dropout, Sequential
from modelhost.keras.progress import ProgressPrinter
from server import PIMA, STANDARDIZE, TEST_DATA, RunningServer

try:
    import numpy
except ImportError:  # the client works without numpy; those tests say so
    numpy = None

SERVER: RunningServer
URL = KEY = ""


def setUpModule() -> None:
    global SERVER, URL, KEY
    SERVER = RunningServer()
    URL, KEY = SERVER.url, SERVER.admin_key


def tearDownModule() -> None:
    SERVER.stop()


def read_csv(path: str) -> "tuple[list, list]":
    with open(path, newline="") as file:
        rows = list(csv.reader(file))
    return rows[0], [[float(value) for value in row] for row in rows[1:]]


def diabetes_model(name: str) -> Sequential:
    model = Sequential(client=Client(URL, KEY), name=name)
    model.add(Dense(10, input_dim=8, activation="relu"))
    model.add(Dense(10, activation="relu"))
    model.add(Dense(1, activation="sigmoid"))
    model.compile(loss="binary_crossentropy", optimizer="adam", metrics=["accuracy"])
    return model


class KerasExampleTest(unittest.TestCase):
    @unittest.skipIf(numpy is None, "numpy is not installed (the list version below runs without it)")
    def test_the_issue_example_with_numpy(self) -> None:
        dataset = numpy.loadtxt(PIMA, delimiter=",", skiprows=1)
        x_train, y_train = dataset[:600, :8], dataset[:600, 8]
        x_test = dataset[600:, :8]
        model = diabetes_model("diabetes")
        printed = io.StringIO()
        with contextlib.redirect_stdout(printed):
            history = model.fit(x_train, y_train, epochs=10, batch_size=32)  # trains on the server
        preds = model.predict(x_test)  # served by the registered version

        self.assertEqual(sorted(history.history), ["accuracy", "loss"])
        self.assertEqual([len(values) for values in history.history.values()], [10, 10])
        self.assertEqual(history.epoch, list(range(10)))
        self.assertEqual(model.version, 1)
        self.assertIsInstance(preds, numpy.ndarray)
        self.assertEqual((preds.shape, preds.dtype), ((168, 1), numpy.float32))
        self.assertTrue(((preds >= 0) & (preds <= 1)).all())
        lines = printed.getvalue().splitlines()
        self.assertEqual([line for line in lines if line.startswith("Epoch")], [f"Epoch {n}/10" for n in range(1, 11)])
        self.assertIn(f"loss: {history.history['loss'][-1]:.4f} - accuracy: {history.history['accuracy'][-1]:.4f}",
                      lines[-1])

    def test_the_example_with_lists_validation_and_a_test_split_that_evaluate_reproduces(self) -> None:
        _, rows = read_csv(PIMA)
        x, y = [row[:8] for row in rows], [row[8] for row in rows]
        model = diabetes_model("diabetes-lists")
        model.layers.insert(1, Dropout(0.1, seed=3))
        history = model.fit(x, y, epochs=4, batch_size=32, validation_split=0.2, verbose=0, seed=5,
                            test_split=0.25, pipeline=STANDARDIZE)
        self.assertEqual(sorted(history.history), ["accuracy", "loss", "val_accuracy", "val_loss"])
        self.assertTrue(all(len(values) == 4 for values in history.history.values()))
        preds = model.predict(x[:3])
        self.assertEqual(len(preds), 3)
        self.assertTrue(all(len(row) == 1 and 0 <= row[0] <= 1 for row in preds))
        held_out = history.job["test_rows"]
        loss, accuracy = model.evaluate(x[-held_out:], y[-held_out:])
        self.assertAlmostEqual(loss, history.job["test"]["loss"], places=5)
        self.assertAlmostEqual(accuracy, history.job["test"]["accuracy"], places=9)
        # A second fit registers the next version; predict follows it.
        model.fit(x, y, epochs=1, verbose=0, pipeline=STANDARDIZE)
        self.assertEqual(model.version, 2)

    def test_fit_on_a_server_dataset_with_a_pipeline_and_predict_records(self) -> None:
        client = Client(URL, KEY)
        client.datasets.upload(PIMA, name="pima-keras")
        model = Sequential([Dense(12, activation="relu"), Dense(1, activation="sigmoid")], client=client,
                           name="pima-keras")
        model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
        history = model.fit("pima-keras", "diabetes", epochs=2, verbose=0, pipeline=STANDARDIZE)
        self.assertEqual(history.job["spec"]["pipeline"], STANDARDIZE)
        record = {"pregnant": 6, "glucose": 148, "pressure": 72, "triceps": 35, "insulin": 0, "mass": 33.6,
                  "pedigree": 0.627, "age": 50}
        served = client.predict("pima-keras", [record])["predictions"][0]["probability"]
        self.assertEqual(model.predict([record]), [[served]])

    def test_classes_and_a_number(self) -> None:
        header, rows = read_csv(os.path.join(TEST_DATA, "diabetes_progression.csv"))
        target = header.index("progression")
        x = [row[:target] + row[target + 1:] for row in rows]
        bands = [min(int(row[target] // 100), 2) for row in rows]  # three classes: 0, 1, 2
        classes = Sequential([Dense(8, input_dim=10, activation="relu"), Dense(3, activation="softmax")],
                             client=Client(URL, KEY), name="progression-band")
        classes.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
        classes.fit(x, bands, epochs=2, verbose=0, pipeline=STANDARDIZE)
        probabilities = classes.predict(x[:4])
        self.assertTrue(all(len(row) == 3 and abs(sum(row) - 1) < 1e-5 for row in probabilities))

        number = Sequential([Dense(8, input_dim=10, activation="relu"), Dense(1)], client=Client(URL, KEY),
                            name="progression")
        number.compile(optimizer="adam", loss="mse", metrics=["mae"])
        history = number.fit(x, [row[target] for row in rows], epochs=2, verbose=0, test_split=0.2,
                             pipeline=STANDARDIZE)
        self.assertEqual(sorted(history.history), ["loss", "mae"])
        held_out = history.job["test_rows"]
        loss, mae = number.evaluate(x[-held_out:], [row[target] for row in rows[-held_out:]])
        self.assertAlmostEqual(loss / history.job["test"]["loss"], 1.0, places=5)
        self.assertAlmostEqual(mae / history.job["test"]["mae"], 1.0, places=5)

    def test_what_the_server_refuses_raises_its_message(self) -> None:
        model = Sequential([Dense(4, input_dim=2), Dense(1)], client=Client(URL, KEY), name="refused")
        model.compile(optimizer="adam", loss="mse", metrics=["no-such-metric"])
        with self.assertRaises(InvalidArgumentError) as refused:  # checked when the job is created
            model.fit([[1, 2], [3, 4]], [1, 2], verbose=0)
        self.assertIn("no-such-metric", refused.exception.message)
        # Activations are checked when the network is built, as the job runs.
        model = Sequential([Dense(4, input_dim=2, activation="no-such-activation"), Dense(1)],
                           client=Client(URL, KEY), name="refused")
        model.compile(optimizer="adam", loss="mse")
        with self.assertRaises(TrainingJobError) as failed:
            model.fit([[1, 2], [3, 4]], [1, 2], verbose=0)
        self.assertEqual(failed.exception.job["state"], "failed")
        self.assertIn("no-such-activation", failed.exception.message)


class ProgressPrinterTest(unittest.TestCase):
    def test_prints_like_keras(self) -> None:
        ticks = iter([0.0, 0.0, 0.5, 1.5])
        out = io.StringIO()
        printer = ProgressPrinter(1, ["accuracy"], stream=out, clock=lambda: next(ticks))
        printer.on_event(Event("state", {"state": "running"}))
        printer.on_event(Event("progress", {"epoch": 0, "epochs": 2, "batch": 10, "batches": 10, "loss": 0.7}))
        printer.on_event(Event("epoch", {"epoch": 0, "epochs": 2, "skipped_batches": 0,
                                         "values": {"val_loss": 0.65, "accuracy": 0.5, "loss": 0.69}}))
        printer.on_event(Event("epoch", {"epoch": 1, "epochs": 2, "skipped_batches": 0,
                                         "values": {"accuracy": 0.6, "loss": 0.6, "val_loss": None}}))
        self.assertEqual(out.getvalue(), (
            "Epoch 1/2\n"
            "10/10 [==============================] - 0s 50ms/step - loss: 0.6900 - accuracy: 0.5000 - val_loss: 0.6500\n"
            "Epoch 2/2\n"
            "1s - loss: 0.6000 - accuracy: 0.6000 - val_loss: nan\n"
        ))

    def test_epochs_that_ended_before_the_stream_opened_print_from_the_history_once(self) -> None:
        out = io.StringIO()
        printer = ProgressPrinter(2, ["accuracy"], stream=out, clock=lambda: 0.0)
        before = {"state": "running", "epochs": 3, "history": [
            {"epoch": 0, "values": {"loss": 0.7, "accuracy": 0.5}, "skipped_batches": 0}]}
        printer.on_event(Event("state", before))
        printer.on_event(Event("epoch", {"epoch": 1, "epochs": 3, "values": {"loss": 0.6, "accuracy": 0.6}}))
        # A reopened stream replays the history; nothing prints twice.
        printer.on_event(Event("state", dict(before, history=before["history"] + [
            {"epoch": 1, "values": {"loss": 0.6, "accuracy": 0.6}, "skipped_batches": 0}])))
        printer.on_event(Event("epoch", {"epoch": 2, "epochs": 3, "values": {"loss": 0.5, "accuracy": 0.7}}))
        self.assertEqual(out.getvalue(), (
            "Epoch 1/3\n0s - loss: 0.7000 - accuracy: 0.5000\n"
            "Epoch 2/3\n0s - loss: 0.6000 - accuracy: 0.6000\n"
            "Epoch 3/3\n0s - loss: 0.5000 - accuracy: 0.7000\n"
        ))

    def test_verbose_zero_prints_nothing(self) -> None:
        out = io.StringIO()
        ProgressPrinter(0, stream=out).on_event(Event("epoch", {"epoch": 0, "epochs": 1, "values": {"loss": 1.0}}))
        self.assertEqual(out.getvalue(), "")


if __name__ == "__main__":
    unittest.main()
