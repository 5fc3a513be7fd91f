#include "cli/job_watch.h"

#include <cmath>
#include <limits>
#include <nlohmann/json.hpp>
#include <vector>

#include "cli/remote_session.h"
#include "cli/training_progress.h"
#include "nn/trainer.h"

namespace modelhost::cli {
namespace {

using Json = nlohmann::json;

constexpr int kBarWidth = 30;

// The line of one epoch (an "epoch" event, or an entry of a job's history)
// as `modelhost train` prints it; a null value (not finite on the server)
// shows as nan.
std::string EpochLine(const Json& epoch, int epochs) {
  nn::EpochLog log;
  log.epoch = epoch.at("epoch").get<int>();
  log.skipped_batches = epoch.value("skipped_batches", 0);
  std::vector<std::string> metrics;
  for (const auto& [name, value] : epoch.at("values").items()) {
    log.values[name] =
        value.is_number() ? value.get<double>() : std::numeric_limits<double>::quiet_NaN();
    if (name != "loss" && !name.starts_with("val_")) metrics.push_back(name);
  }
  return FormatEpochLine(log, epochs, metrics);
}

std::string ProgressBar(const Json& progress) {
  int epoch = progress.at("epoch").get<int>();
  int epochs = progress.at("epochs").get<int>();
  int batch = progress.at("batch").get<int>();
  int batches = progress.at("batches").get<int>();
  int filled = batches > 0 ? kBarWidth * std::min(batch, batches) / batches : kBarWidth;
  std::string bar(static_cast<size_t>(filled), '=');
  if (filled < kBarWidth) bar += '>';
  bar.resize(kBarWidth, ' ');
  std::string loss = progress.at("loss").is_number()
                         ? " loss=" + CellText(progress.at("loss"), /*metric=*/true)
                         : "";
  return "epoch " + std::to_string(epoch + 1) + "/" + std::to_string(epochs) + " [" + bar + "] " +
         std::to_string(batch) + "/" + std::to_string(batches) + loss;
}

}  // namespace

JobWatch::JobWatch(std::FILE* out, bool terminal, bool json)
    : out_(out), terminal_(terminal), json_(json) {}

core::Result<bool> JobWatch::OnEvent(const ServerSentEvent& event) {
  MODELHOST_ASSIGN_OR_RETURN(Json data, ParseJson(event.data, "event '" + event.name + "'"));
  std::vector<std::string> lines;  // finished lines to print
  try {
    if (event.name == "state" || event.name == "end") {
      job_id_ = data.at("id").get<std::string>();
      std::string state = data.at("state").get<std::string>();
      if (data.contains("error") && data["error"].is_string()) error_ = data["error"];
      // Ended states are told by the "end" event that follows.
      bool ongoing = state == "queued" || state == "running";
      if (state != state_ && event.name == "state" && ongoing) {
        lines.push_back("job " + job_id_ + " " + state);
      }
      // A job watched late: the epochs it ran before the stream began.
      const Json& history = Member(data, "history");
      int epochs = data.value("epochs", static_cast<int>(history.size()));
      for (const Json& epoch : history) {
        if (epoch.at("epoch").get<int>() < epochs_shown_) continue;
        lines.push_back(EpochLine(epoch, epochs));
        epochs_shown_ = epoch.at("epoch").get<int>() + 1;
      }
      if (event.name == "end") {
        ended_ = true;
        const Json& model = Member(data, "model");
        if (state == "succeeded" && model.is_object()) {
          lines.push_back("job " + job_id_ + " succeeded: registered " + Cell(model, "name") +
                          " version " + Cell(model, "version"));
        }
      }
      state_ = state;
    } else if (event.name == "epoch") {
      int epoch = data.at("epoch").get<int>();
      if (epoch >= epochs_shown_) {
        lines.push_back(EpochLine(data, data.at("epochs").get<int>()));
        epochs_shown_ = epoch + 1;
      }
    } else if (event.name == "progress" && terminal_ && !json_) {
      std::fprintf(out_, "\r\033[K%s", ProgressBar(data).c_str());
      std::fflush(out_);
      bar_drawn_ = true;
    }
  } catch (const Json::exception& exception) {
    return core::Internal("event '" + event.name + "' of the job stream: " + exception.what());
  }
  if (json_) {
    std::fprintf(out_, "%s\n", Json{{"event", event.name}, {"data", data}}.dump().c_str());
  } else {
    for (const std::string& line : lines) {
      std::fprintf(out_, "%s%s\n", bar_drawn_ ? "\r\033[K" : "", line.c_str());
      bar_drawn_ = false;
    }
  }
  std::fflush(out_);
  return !ended_;
}

core::Status JobWatch::Outcome() const {
  if (!ended_) {
    return core::Unavailable("the event stream of job " + job_id_ + " ended before the job did");
  }
  if (state_ == "succeeded") return core::OkStatus();
  if (state_ == "cancelled") return core::FailedPrecondition("job " + job_id_ + " was cancelled");
  return core::FailedPrecondition("job " + job_id_ + " " + state_ +
                                  (error_.empty() ? "" : ": " + error_));
}

}  // namespace modelhost::cli
