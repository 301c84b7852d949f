// `amapiano serve`: the HTTP API, WebSocket events and job workers on embedded stores
// (<data dir>/amapiano.sqlite3 and <data dir>/objects/). Every flag can also come from the
// environment (PORT, AMAPIANO_DATA_DIR, DATABASE_URL, AMAPIANO_WORKERS, ...); flags win.
#pragma once

#include <CLI/CLI.hpp>
#include <map>
#include <string>

namespace amapiano::cli {

struct ServeFlags final {
    std::map<std::string, std::string> settings;  // config key -> value given on the command line
};

CLI::App* AddServeCommand(CLI::App& app, ServeFlags& flags);
int RunServe(const ServeFlags& flags, const std::string& version);

}  // namespace amapiano::cli
