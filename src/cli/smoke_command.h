// `amapiano smoke URL`: the post-deploy (post-cutover) check of a running service — health, readiness,
// a throwaway account, a generation with its downloads, an analysis, signed-URL refusals and ranges,
// and the account's deletion (ops/smoke.h), each step PASS, FAIL or SKIP with a one-line detail.
//
//   amapiano smoke https://api.example.com
//   amapiano smoke http://10.0.3.17:8080 --header "Host: api.example.com" --timeout 300 --json
//
// Text: one line per step as it finishes, then "smoke: 8/8 passed against URL in 2.3 s" (or "smoke:
// FAILED 2 of 8 steps ..."). --json: one document {"url","passed","seconds","steps":[{"name","status",
// "ms","detail"}]}. Exit codes: 0 every step passed, 1 otherwise (an unreachable service included), 2 a
// usage error (not an http(s) URL, a malformed --header).
#pragma once

#include <CLI/CLI.hpp>
#include <string>
#include <vector>

namespace amapiano::cli {

struct SmokeFlags final {
    std::string url;
    bool json = false;
    int timeout_s = 180;
    std::string prompt;
    std::vector<std::string> headers;  // "Name: value"
};

// Registers the subcommand; `flags` must outlive `app`.
CLI::App* AddSmokeCommand(CLI::App& app, SmokeFlags& flags);

// Runs a parsed smoke command; returns the exit code.
int RunSmoke(const SmokeFlags& flags);

}  // namespace amapiano::cli
