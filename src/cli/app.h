// The `amapiano` command line: subcommand dispatch, flag parsing and exit codes.
#pragma once

namespace amapiano::cli {

// Runs the program; returns the process exit status (0 ok, 1 runtime error, 2 usage error).
int RunApp(int argc, char** argv);

}  // namespace amapiano::cli
