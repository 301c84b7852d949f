// `amapiano worker`: job workers without HTTP, for scaling generation separately from the API
// (DESIGN.md's scale path). It shares the service's stores and settings — DATABASE_URL (or DB_HOST
// and friends), S3_BUCKET / AMAPIANO_STORAGE_URL, AMAPIANO_WORKERS, ... — and drains on SIGTERM.
#pragma once

#include <CLI/CLI.hpp>
#include <map>
#include <string>

namespace amapiano::cli {

struct WorkerFlags final {
    std::map<std::string, std::string> settings;  // config key -> value given on the command line
};

CLI::App* AddWorkerCommand(CLI::App& app, WorkerFlags& flags);
int RunWorkerCommand(const WorkerFlags& flags, const std::string& version);

}  // namespace amapiano::cli
