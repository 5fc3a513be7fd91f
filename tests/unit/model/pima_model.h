// An untrained Pima model for the model module's tests: the Pima table, a
// description of a Dense 6 relu → 1 sigmoid network for it, the network
// (seed 7) and the table's feature matrix.

#ifndef MODELHOST_TESTS_UNIT_MODEL_PIMA_MODEL_H_
#define MODELHOST_TESTS_UNIT_MODEL_PIMA_MODEL_H_

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "core/version.h"
#include "data/csv_reader.h"
#include "model/input_schema.h"
#include "model/model_directory.h"
#include "model/model_inputs.h"
#include "nn/network_spec.h"
#include "nn/sequential.h"

namespace modelhost::model {

struct PimaModel {
  data::Table table;
  ModelDescription description;
  std::unique_ptr<nn::Sequential> network;
  nn::Matrix features;
};

// Fills `model`; `metrics` and `epochs` go into its description as given to
// a fit. Call with ASSERT_NO_FATAL_FAILURE.
inline void MakeUntrainedPimaModel(PimaModel& model, std::vector<std::string> metrics, int epochs) {
  auto read = data::ReadCsvFile(std::string(MODELHOST_TEST_DATA) + "/pima_indians_diabetes.csv");
  ASSERT_TRUE(read.ok()) << read.status().ToString();
  model.table = std::move(read->table);
  auto schema = InferInputSchema(model.table, "diabetes");
  ASSERT_TRUE(schema.ok());
  model.description.schema = *schema;
  auto spec = nn::ParseNetworkSpec(
      R"({"layers": [{"dense": 6, "activation": "relu"}, {"dense": 1, "activation": "sigmoid"}]})");
  ASSERT_TRUE(spec.ok()) << spec.status().ToString();
  model.description.network_spec = *spec;
  model.description.loss = nn::LossKind::kBinaryCrossentropy;
  model.description.metrics = std::move(metrics);
  model.description.modelhost_version = std::string(core::ModelhostVersion());
  model.description.created_at = "2026-01-02T03:04:05Z";
  model.description.training = {"pima.csv", std::string(64, 'a'), "adam", 0.01, epochs, 64, 0.0, 7,
                                {}};
  auto network = nn::Sequential::Create(*spec, schema->features.size(), 7);
  ASSERT_TRUE(network.ok());
  model.network = std::move(network).value();
  auto features = MakeFeatureMatrix(model.table, *schema);
  ASSERT_TRUE(features.ok());
  model.features = std::move(features).value();
}

}  // namespace modelhost::model

#endif  // MODELHOST_TESTS_UNIT_MODEL_PIMA_MODEL_H_
