#include "cli/worker_command.h"

#include "cli/serve_command.h"

namespace amapiano::cli {

CLI::App* AddWorkerCommand(CLI::App& app, WorkerFlags& flags) {
    CLI::App* cmd =
        app.add_subcommand("worker", "Run job workers only (no HTTP), sharing the service's stores");
    AddServiceSettings(*cmd, flags.settings, /*http=*/false);
    return cmd;
}

int RunWorkerCommand(const WorkerFlags& flags, const std::string& version) {
    return RunServiceProcess(flags.settings, version, "worker");
}

}  // namespace amapiano::cli
