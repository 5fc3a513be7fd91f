#include "cli/cli_app.h"

int main(int argc, char** argv) { return modelhost::cli::RunCli(argc, argv); }
