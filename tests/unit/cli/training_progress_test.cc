#include "cli/training_progress.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <string>

namespace modelhost::cli {
namespace {

TEST(TrainingProgressTest, EpochLineOrdersLossMetricsThenValidation) {
  nn::EpochLog log;
  log.epoch = 2;
  log.values = {{"auc", 0.8},      {"accuracy", 0.74051}, {"loss", 0.52134},
                {"val_loss", 0.6}, {"val_accuracy", 0.7}, {"val_auc", 0.75}};
  EXPECT_EQ(FormatEpochLine(log, 10, {"accuracy", "auc"}),
            "epoch 3/10 loss=0.5213 accuracy=0.7405 auc=0.8000 val_loss=0.6000 "
            "val_accuracy=0.7000 val_auc=0.7500");
}

TEST(TrainingProgressTest, PlainOutputIsOneLinePerEpochWithoutBar) {
  char* text = nullptr;
  size_t size = 0;
  std::FILE* out = open_memstream(&text, &size);
  ASSERT_NE(out, nullptr);
  {
    TrainingProgress progress(out, /*terminal=*/false, 2, {});
    for (int epoch = 0; epoch < 2; ++epoch) {
      for (int batch = 0; batch < 3; ++batch) progress.OnBatchEnd(epoch, batch, 3, 1.0);
      nn::EpochLog log;
      log.epoch = epoch;
      log.values = {{"loss", 1.0}};
      progress.OnEpochEnd(log);
    }
  }
  std::fclose(out);
  EXPECT_EQ(std::string(text, size), "epoch 1/2 loss=1.0000\nepoch 2/2 loss=1.0000\n");
  std::free(text);
}

TEST(TrainingProgressTest, TerminalOutputRewritesTheBarInPlace) {
  char* text = nullptr;
  size_t size = 0;
  std::FILE* out = open_memstream(&text, &size);
  ASSERT_NE(out, nullptr);
  {
    TrainingProgress progress(out, /*terminal=*/true, 1, {});
    // Fit passes the epoch's running mean loss: batches of loss 1.0 and 0.5.
    progress.OnBatchEnd(0, 0, 2, 1.0);
    progress.OnBatchEnd(0, 1, 2, 0.75);
    nn::EpochLog log;
    log.values = {{"loss", 0.75}};
    progress.OnEpochEnd(log);
  }
  std::fclose(out);
  std::string written(text, size);
  std::free(text);
  EXPECT_NE(written.find("\r\033[Kepoch 1/1 ["), std::string::npos) << written;
  EXPECT_NE(written.find("2/2 loss=0.7500 ETA"), std::string::npos) << written;
  EXPECT_NE(written.find("\r\033[Kepoch 1/1 loss=0.7500\n"), std::string::npos) << written;
}

}  // namespace
}  // namespace modelhost::cli
