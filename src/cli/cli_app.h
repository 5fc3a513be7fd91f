// The `modelhost` command line: parses argv into one subcommand and runs it.
//
// Exit codes: 0 success, 1 runtime failure (the error is one line on stderr),
// 2 usage error (unknown flag, bad value, unknown config key).
// Thread-safety: call once, from main.

#ifndef MODELHOST_CLI_CLI_APP_H_
#define MODELHOST_CLI_CLI_APP_H_

namespace modelhost::cli {

inline constexpr int kExitOk = 0;
inline constexpr int kExitRuntimeError = 1;
inline constexpr int kExitUsage = 2;

int RunCli(int argc, char** argv);

}  // namespace modelhost::cli

#endif  // MODELHOST_CLI_CLI_APP_H_
