// `amapiano serve`: the HTTP API, WebSocket events and job workers on embedded stores
// (<data dir>/amapiano.sqlite3 and <data dir>/objects/). Every flag can also come from the
// environment (PORT, AMAPIANO_DATA_DIR, DATABASE_URL, AMAPIANO_WORKERS, ...); flags win.
#pragma once

#include <CLI/CLI.hpp>
#include <map>
#include <string>
#include <string_view>

namespace amapiano::cli {

struct ServeFlags final {
    std::map<std::string, std::string> settings;  // config key -> value given on the command line
};

CLI::App* AddServeCommand(CLI::App& app, ServeFlags& flags);
int RunServe(const ServeFlags& flags, const std::string& version);

// Shared with `amapiano worker`: the settings flags (`http`: also the HTTP-only ones), and resolving
// them with the environment and running the process ("serve" or "worker").
void AddServiceSettings(CLI::App& cmd, std::map<std::string, std::string>& settings, bool http);
int RunServiceProcess(const std::map<std::string, std::string>& settings, const std::string& version,
                      std::string_view command);

}  // namespace amapiano::cli
