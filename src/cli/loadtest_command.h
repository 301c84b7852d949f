// `amapiano loadtest URL`: the performance test of a running service (ops/load_test.h) — N generations
// end to end with C in flight, then C clients reading the API for S seconds — reported as p50/p95/p99/max
// per metric against the targets, on a throwaway account deleted at the end.
//
//   amapiano loadtest https://api.example.com                      # 100 generations, 10 at a time, 20 s
//   reads amapiano loadtest http://127.0.0.1:8080 --generations 8 --concurrency 4 --read-seconds 3 --json
//
// Text: a table per metric with the verdicts, then "loadtest: PASSED|FAILED ..."; progress on stderr.
// --json: one document (see LoadTestJson). Exit codes: 0 both p95 targets met with no errors and nothing
// rate limited, 1 otherwise (or the service unreachable), 2 a usage error.
#pragma once

#include <CLI/CLI.hpp>
#include <string>
#include <vector>

namespace amapiano::cli {

struct LoadTestFlags final {
    std::string url;
    int generations = 100;
    int concurrency = 10;
    int read_seconds = 20;
    int bars = 8;
    double gen_p95_ms = 3000.0;
    double api_p95_ms = 500.0;
    int timeout_s = 180;
    std::string prompt;
    bool keep = false;
    bool json = false;
    std::vector<std::string> headers;  // "Name: value"
};

// Registers the subcommand; `flags` must outlive `app`.
CLI::App* AddLoadTestCommand(CLI::App& app, LoadTestFlags& flags);

// Runs a parsed loadtest command; returns the exit code.
int RunLoadTest(const LoadTestFlags& flags);

}  // namespace amapiano::cli
