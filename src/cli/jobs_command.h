// `modelhost jobs …`: the server's training jobs (remote; remote_session.h
// has the output and exit-code conventions).
//
//   jobs create [--spec JOB.json] [--dataset D] [--target T] [--register-as M]
//               [--pipeline P.json] [--model NET.json] [--loss L] [--optimizer O]
//               [--metrics a,b] [--epochs N] [--batch-size N] [--validation-split F]
//               [--test-split F] [--seed N] [--watch]
//       POST /v1/training-jobs with the spec file's request (TrainingJobRequest
//       in openapi.json), each flag given replacing its field; without
//       --spec, --dataset, --target and --register-as are required. --watch
//       then follows the job as `jobs watch` does.
//   jobs watch ID     follows the job's event stream (job_watch.h) until it
//                     ends: exit 0 when it succeeded, 1 when it failed or
//                     was cancelled
//   jobs ls | show ID | cancel ID
//
// Thread-safety: constructed and run once, from main.

#ifndef MODELHOST_CLI_JOBS_COMMAND_H_
#define MODELHOST_CLI_JOBS_COMMAND_H_

#include <string>
#include <vector>

#include "core/result.h"
#include "core/status.h"

namespace CLI {
class App;
}  // namespace CLI

namespace modelhost::cli {

class RemoteSession;

class JobsCommand {
 public:
  // Adds `jobs` and its subcommands to `app`, which must outlive this object.
  explicit JobsCommand(CLI::App* app);

  // Whether argv named `jobs` (after CLI::App::parse).
  bool parsed() const;
  // Runs the subcommand argv named; returns the exit code.
  int Run() const;

 private:
  // The flags of `jobs create` that replace fields of the spec.
  struct CreateFlags {
    std::string spec_file;
    std::string dataset;
    std::string target;
    std::string register_as;
    std::string pipeline_file;
    std::string model_file;
    std::string loss;
    std::string optimizer;
    std::vector<std::string> metrics;
    int epochs = 0;
    int batch_size = 0;
    double validation_split = 0;
    double test_split = 0;
    long long seed = 0;
    bool watch = false;
  };

  // The request of `jobs create`: the spec file's, with the flags given
  // replacing fields. InvalidArgument naming the file when it is not JSON.
  core::Result<std::string> CreateRequest() const;

  core::Status Create(RemoteSession& session, const std::string& request) const;
  core::Status Watch(RemoteSession& session, const std::string& id) const;
  core::Status List(RemoteSession& session) const;
  core::Status Show(RemoteSession& session) const;
  core::Status Cancel(RemoteSession& session) const;

  CLI::App* jobs_ = nullptr;
  CLI::App* create_ = nullptr;
  CLI::App* watch_ = nullptr;
  CLI::App* list_ = nullptr;
  CLI::App* show_ = nullptr;
  CLI::App* cancel_ = nullptr;
  CreateFlags create_flags_;
  std::string id_;
  bool json_ = false;
};

}  // namespace modelhost::cli

#endif  // MODELHOST_CLI_JOBS_COMMAND_H_
