// libFuzzer target: any bytes given to the pipeline-spec parser or to the
// fitted-pipeline parser must come back as a value or a Status — never a
// crash, a hang or undefined behaviour — and whatever parses must survive its
// own canonical JSON unchanged. A parsed spec is fitted on a small table,
// and what it fits must round-trip through JSON as well. A parsed fitted pipeline is also applied
// to a small table, so that a hand-edited file cannot crash Transform either.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "data/csv_reader.h"
#include "data/fitted_pipeline.h"
#include "data/pipeline.h"
#include "data/pipeline_spec.h"

namespace {

using modelhost::data::FittedPipeline;

const modelhost::data::Table& SampleTable() {
  static const modelhost::data::Table table = [] {
    auto result = modelhost::data::ReadCsvBuffer("a,b,c,y\n1,x,2.5,0\n,y,-1,1\n3,,0,0\n-4,x,,1\n",
                                                 "sample.csv");
    if (!result.ok()) std::abort();
    return std::move(result->table);
  }();
  return table;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view json(reinterpret_cast<const char*>(data), size);

  auto spec = modelhost::data::ParsePipelineSpec(json);
  if (spec.ok()) {
    auto again = modelhost::data::ParsePipelineSpec(modelhost::data::PipelineSpecToJson(*spec));
    if (!again.ok() || !(*again == *spec)) std::abort();  // the round trip is a documented contract
    modelhost::data::Pipeline pipeline(*spec);
    (void)pipeline.FitTransform(SampleTable(), std::nullopt);
    auto fit = pipeline.FitTransform(
        SampleTable(),
        modelhost::data::TargetSpec{"y", modelhost::data::TargetKind::kClassification});
    if (fit.ok()) {
      auto text = fit->fitted.ToJson();
      if (!text.ok()) std::abort();
      auto parsed = FittedPipeline::FromJson(*text);
      if (!parsed.ok() || !(*parsed == fit->fitted)) std::abort();
    }
  }

  auto fitted = FittedPipeline::FromJson(json);
  if (fitted.ok()) {
    auto text = fitted->ToJson();
    if (text.ok()) {
      auto again = FittedPipeline::FromJson(*text);
      if (!again.ok() || !(*again == *fitted)) std::abort();
    }
    (void)fitted->Transform(SampleTable(), modelhost::data::TransformMode::kTraining);
    (void)fitted->Transform(SampleTable(), modelhost::data::TransformMode::kInference);
  }
  return 0;
}
