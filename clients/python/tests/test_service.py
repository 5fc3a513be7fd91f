"""The client end to end against the real server: datasets, a training job
watched over Server-Sent Events, the registry, predictions, keys, and the
typed errors the server's refusals become."""

from __future__ import annotations

import csv
import io
import os
import tempfile
import unittest

import modelhost
from modelhost import (
    AuthError,
    Client,
    ConflictError,
    ForbiddenError,
    InvalidArgumentError,
    NotFoundError,
    TrainingJobError,
)
from server import PIMA, PIMA_COLUMNS, STANDARDIZE, RunningServer

SERVER: RunningServer
CLIENT: Client

NETWORK = {"layers": [{"dense": 8, "activation": "relu"}, {"dense": 1, "activation": "sigmoid"}]}
COMPILE = {"loss": "binary_crossentropy", "optimizer": "adam", "metrics": ["accuracy"]}
RECORD = {"pregnant": 6, "glucose": 148, "pressure": 72, "triceps": 35, "insulin": 0, "mass": 33.6,
          "pedigree": 0.627, "age": 50}


def setUpModule() -> None:
    global SERVER, CLIENT
    SERVER = RunningServer()
    CLIENT = Client(SERVER.url, SERVER.admin_key)


def tearDownModule() -> None:
    SERVER.stop()


def pima_rows() -> list:
    with open(PIMA, newline="") as file:
        return list(csv.DictReader(file))


class DatasetTest(unittest.TestCase):
    def test_upload_from_a_path_streams_the_file_and_reports_progress(self) -> None:
        seen = []
        dataset = CLIENT.datasets.upload(PIMA, name="pima-path", progress=lambda sent, total: seen.append((sent, total)))
        self.assertEqual(dataset["rows"], 768)
        self.assertEqual([column["name"] for column in dataset["schema"]], PIMA_COLUMNS)
        size = os.path.getsize(PIMA)
        self.assertEqual(seen[-1], (size, size))
        self.assertEqual(CLIENT.datasets.get(dataset["id"])["sha256"], dataset["sha256"])

    def test_upload_from_a_file_object_and_from_records_store_the_same_rows(self) -> None:
        with open(PIMA, "rb") as file:
            from_file = CLIENT.datasets.upload(file, name="pima-file", format="csv")
        records = [{name: float(value) for name, value in row.items()} for row in pima_rows()]
        from_records = CLIENT.datasets.upload(records, name="pima-records")
        self.assertEqual(from_file["rows"], 768)
        self.assertEqual(from_records["rows"], 768)
        first = CLIENT.datasets.rows(from_records["id"], limit=1)[0]
        self.assertEqual(first, {name: float(value) for name, value in pima_rows()[0].items()})

    def test_rows_with_columns_and_missing_values(self) -> None:
        dataset = CLIENT.datasets.upload([[1, 2.5], [None, 3.5]], name="tiny", columns=["a", "b"])
        self.assertEqual(CLIENT.datasets.rows(dataset["id"]), [{"a": 1, "b": 2.5}, {"a": None, "b": 3.5}])
        with self.assertRaises(ValueError):
            CLIENT.datasets.upload([[1, 2]], name="no-columns")

    def test_list_iterate_export_and_delete(self) -> None:
        dataset = CLIENT.datasets.upload(PIMA, name="pima-export")
        self.assertIn(dataset["id"], [entry["id"] for entry in CLIENT.datasets.list(name="pima-export")])
        self.assertEqual(len(list(CLIENT.datasets.iter_rows(dataset["id"], page_size=300))), 768)
        exported = CLIENT.datasets.export(dataset["id"])
        self.assertEqual(exported.decode().splitlines()[0], ",".join(PIMA_COLUMNS))
        self.assertEqual(len(exported.decode().splitlines()), 769)
        with tempfile.TemporaryDirectory() as folder:
            path = os.path.join(folder, "pima.jsonl")
            CLIENT.datasets.export(dataset["id"], to=path, format="jsonl")
            with open(path) as file:
                self.assertEqual(sum(1 for _ in file), 768)
            self.assertEqual(os.listdir(folder), ["pima.jsonl"])
        CLIENT.datasets.delete(dataset["id"])
        with self.assertRaises(NotFoundError) as caught:
            CLIENT.datasets.get(dataset["id"])
        self.assertEqual((caught.exception.status, caught.exception.code), (404, "not_found"))

    def test_split_and_transform(self) -> None:
        dataset = CLIENT.datasets.upload(PIMA, name="pima-derive")
        parts = CLIENT.datasets.split(dataset["id"], train=0.75, test=0.25, seed=7, stratify="diabetes")
        self.assertEqual(sorted(parts), ["test", "train"])
        self.assertEqual(parts["train"]["rows"] + parts["test"]["rows"], 768)
        derived = CLIENT.datasets.transform(dataset["id"], STANDARDIZE, target="diabetes", name="pima-std")
        self.assertEqual(derived["lineage"]["parent"], dataset["id"])
        self.assertEqual(derived["name"], "pima-std")
        # wait=0: the server may answer 202 with the dataset job at once; the client follows its events.
        again = CLIENT.datasets.split(dataset["id"], train=0.75, test=0.25, seed=7, stratify="diabetes", wait=0)
        self.assertEqual({part: again[part]["rows"] for part in again}, {part: parts[part]["rows"] for part in parts})
        derived_again = CLIENT.datasets.transform(dataset["id"], STANDARDIZE, target="diabetes", wait=0)
        self.assertEqual(derived_again["sha256"], derived["sha256"])

    def test_a_bad_row_is_an_invalid_argument_naming_it(self) -> None:
        with self.assertRaises(InvalidArgumentError) as caught:
            CLIENT.datasets.upload(io.BytesIO(b"a,b\n1,2\n3\n"), name="bad", format="csv")
        self.assertEqual(caught.exception.status, 400)
        self.assertIn("line 3", caught.exception.message)


class TrainingTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls) -> None:
        cls.dataset = CLIENT.datasets.upload(PIMA, name="pima")
        job = CLIENT.jobs.create(
            cls.dataset["id"], "diabetes", "pima", pipeline=STANDARDIZE, model=NETWORK, compile=COMPILE,
            fit={"epochs": 3, "batch_size": 32, "validation_split": 0.2, "seed": 1},
        )
        cls.job_id = job["id"]
        cls.events = list(CLIENT.jobs.watch(job["id"]))

    def test_watch_streams_state_epochs_progress_and_end(self) -> None:
        kinds = [event.event for event in self.events]
        self.assertEqual(kinds[0], "state")
        self.assertEqual(kinds[-1], "end")
        # Epochs that ended before the stream opened come in the first state's
        # history; every later one as an event, none missed or repeated.
        before = self.events[0].data.get("history", [])
        epochs = [event.data for event in self.events if event.event == "epoch"]
        self.assertEqual([entry["epoch"] for entry in before] + [epoch["epoch"] for epoch in epochs], [0, 1, 2])
        values = [entry["values"] for entry in before] + [epoch["values"] for epoch in epochs]
        self.assertEqual(set(values[0]), {"loss", "accuracy", "val_loss", "val_accuracy"})
        final = self.events[-1].data
        self.assertEqual(final["state"], "succeeded")
        self.assertEqual(final["model"], {"name": "pima", "version": 1})
        self.assertEqual([entry["values"] for entry in final["history"]], values)

    def test_get_list_and_wait_agree_with_the_stream(self) -> None:
        self.assertEqual(CLIENT.jobs.get(self.job_id)["state"], "succeeded")
        self.assertIn(self.job_id, [job["id"] for job in CLIENT.jobs.list()])
        self.assertEqual(CLIENT.jobs.wait(self.job_id)["model"]["version"], 1)

    def test_predict_by_name_version_and_alias(self) -> None:
        by_name = CLIENT.predict("pima", [RECORD])
        self.assertEqual((by_name["model"], by_name["model_version"]), ("pima", 1))
        prediction = by_name["predictions"][0]
        self.assertTrue(0.0 <= prediction["probability"] <= 1.0)
        self.assertIn(prediction["label"], (0, 1))
        as_row = CLIENT.predict("pima", [[RECORD[name] for name in PIMA_COLUMNS[:-1]]], version=1)
        self.assertEqual(as_row["predictions"], by_name["predictions"])
        CLIENT.models.set_alias("pima", "staging", 1)
        self.assertEqual(CLIENT.predict("pima", [RECORD], alias="staging")["predictions"], by_name["predictions"])
        self.assertEqual(CLIENT.models.get("pima")["aliases"]["staging"], 1)
        CLIENT.models.delete_alias("pima", "staging")
        with self.assertRaises(NotFoundError):
            CLIENT.predict("pima", [RECORD], alias="staging")

    def test_batched_predictions_keep_their_order(self) -> None:
        records = [{name: float(value) for name, value in row.items() if name != "diabetes"} for row in pima_rows()]
        whole = CLIENT.predict("pima", records[:50], version=1)["predictions"]
        batched = CLIENT.predict("pima", records[:50], version=1, batch_size=7)["predictions"]
        self.assertEqual(batched, whole)

    def test_a_bundle_downloads_and_uploads_as_a_new_model(self) -> None:
        bundle = CLIENT.models.download_bundle("pima", 1)
        copy = CLIENT.models.upload_bundle("pima-copy", bundle)
        self.assertEqual(copy["version"], 1)
        self.assertEqual(copy["bundle_sha256"], CLIENT.models.version("pima", 1)["bundle_sha256"])
        self.assertEqual(
            CLIENT.predict("pima-copy", [RECORD])["predictions"], CLIENT.predict("pima", [RECORD], version=1)["predictions"]
        )
        self.assertIn("pima-copy", [model["name"] for model in CLIENT.models.list()])
        self.assertEqual([version["version"] for version in CLIENT.models.versions("pima-copy")], [1])

    def test_a_version_under_an_alias_is_a_conflict_to_delete(self) -> None:
        bundle = CLIENT.models.download_bundle("pima", 1)
        CLIENT.models.upload_bundle("pima-aliased", bundle)
        CLIENT.models.set_alias("pima-aliased", "production", 1)
        with self.assertRaises(ConflictError) as caught:
            CLIENT.models.delete_version("pima-aliased", 1)
        self.assertEqual(caught.exception.status, 409)
        CLIENT.models.delete_alias("pima-aliased", "production")
        CLIENT.models.delete_version("pima-aliased", 1)
        with self.assertRaises(NotFoundError):
            CLIENT.models.version("pima-aliased", 1)

    def test_a_cancelled_job_raises_training_job_error_and_cannot_be_cancelled_again(self) -> None:
        job = CLIENT.jobs.create(self.dataset["id"], "diabetes", "pima-cancelled", fit={"epochs": 100000})
        CLIENT.jobs.cancel(job["id"])
        with self.assertRaises(TrainingJobError) as caught:
            CLIENT.jobs.wait(job["id"])
        self.assertEqual(caught.exception.job["state"], "cancelled")
        with self.assertRaises(ConflictError):
            CLIENT.jobs.cancel(job["id"])

    def test_a_bad_job_spec_names_the_field(self) -> None:
        with self.assertRaises(InvalidArgumentError) as caught:
            CLIENT.jobs.create(self.dataset["id"], "diabetes", "pima", fit={"epochs": 3, "epoch": 2})
        self.assertIn("fit.epoch", caught.exception.message)
        with self.assertRaises(NotFoundError):
            CLIENT.jobs.create("no-such-dataset", "diabetes", "pima")


class AccessTest(unittest.TestCase):
    def test_an_unknown_key_is_an_auth_error(self) -> None:
        with self.assertRaises(AuthError) as caught:
            Client(SERVER.url, "mh_0000000000000000_not-a-key").datasets.list()
        self.assertEqual((caught.exception.status, caught.exception.code), (401, "unauthenticated"))
        with self.assertRaises(AuthError):
            Client(SERVER.url, None).models.list()

    def test_a_key_without_the_scope_is_forbidden_and_keys_can_be_managed(self) -> None:
        created = CLIENT.keys.create("predict-only", ["predict"])
        self.assertTrue(created["key"].startswith("mh_"))
        self.assertIn(created["id"], [key["id"] for key in CLIENT.keys.list()])
        limited = Client(SERVER.url, created["key"])
        with self.assertRaises(ForbiddenError) as caught:
            limited.datasets.upload([[1]], name="denied", columns=["a"])
        self.assertEqual((caught.exception.status, caught.exception.code), (403, "permission_denied"))
        CLIENT.keys.delete(created["id"])
        with self.assertRaises(AuthError):
            limited.models.list()
        with self.assertRaises(NotFoundError):
            CLIENT.keys.delete(created["id"])

    def test_deleting_the_last_admin_key_is_a_conflict(self) -> None:
        admins = [key for key in CLIENT.keys.list() if "admin" in key["scopes"]]
        self.assertEqual(len(admins), 1)
        with self.assertRaises(ConflictError) as caught:
            CLIENT.keys.delete(admins[0]["id"])
        self.assertIsInstance(caught.exception, modelhost.ModelhostError)

    def test_health_and_metadata(self) -> None:
        self.assertTrue(CLIENT.ready())
        self.assertEqual(CLIENT.server_metadata()["name"], "modelhost")


if __name__ == "__main__":
    unittest.main()
