// JobWatch: how `modelhost jobs watch` shows a training job's Server-Sent
// Events (GET /v1/training-jobs/{id}/events: "state", "progress", "epoch",
// then "end" with the final job).
//
// Human form: a line when the state changes ("job job_… running"), one line
// per epoch as `modelhost train` prints it (training_progress.h:
// "epoch 2/10 loss=0.5213 accuracy=0.7405 val_loss=…"), and on a terminal a
// bar per epoch redrawn from the "progress" events in place of that line
// until the epoch ends. Epochs that ran before the stream began (the first
// "state" event carries the job's history) are shown first, each epoch once.
// The final line, for a job that succeeded, names the
// registered model version. JSON form (--json): each event as one line,
// {"event": NAME, "data": THE SERVER'S JSON}.
//
// Thread-safety: one thread at a time.

#ifndef MODELHOST_CLI_JOB_WATCH_H_
#define MODELHOST_CLI_JOB_WATCH_H_

#include <cstdio>
#include <string>

#include "cli/event_stream_parser.h"
#include "core/result.h"
#include "core/status.h"

namespace modelhost::cli {

class JobWatch {
 public:
  // Writes to `out` (not owned), with bars when `terminal`, JSON when `json`.
  JobWatch(std::FILE* out, bool terminal, bool json);

  // Shows one event. Returns false once the "end" event has been handled
  // (nothing more is expected). Internal when an event's data is not the
  // JSON the server documents.
  core::Result<bool> OnEvent(const ServerSentEvent& event);

  // After "end": OK when the job succeeded; FailedPrecondition "job <id>
  // failed: <error>" or "job <id> was cancelled" otherwise. Before "end":
  // Unavailable "the event stream of job <id> ended before the job did".
  core::Status Outcome() const;

 private:
  std::FILE* out_;
  bool terminal_;
  bool json_;
  std::string job_id_;
  std::string state_;     // the last state seen
  std::string error_;     // the job's error, once it failed
  int epochs_shown_ = 0;  // epochs 0 … epochs_shown_ - 1 have their line
  bool ended_ = false;
  bool bar_drawn_ = false;  // a progress bar is on the current line
};

}  // namespace modelhost::cli

#endif  // MODELHOST_CLI_JOB_WATCH_H_
