#include "cli/loadtest_command.h"

#include <cstdio>
#include <iostream>
#include <nlohmann/json.hpp>

#include "cli/exit_codes.h"
#include "compose/generation_spec.h"
#include "ops/load_test.h"

namespace amapiano::cli {
namespace {

int UsageError(const std::string& message) {
    std::cerr << "amapiano loadtest: " << message << " (see amapiano loadtest --help)\n";
    return kExitUsageError;
}

}  // namespace

CLI::App* AddLoadTestCommand(CLI::App& app, LoadTestFlags& flags) {
    CLI::App* cmd = app.add_subcommand(
        "loadtest",
        "Measure a running service: generations end to end, then concurrent API reads (p50/p95/p99)");
    cmd->add_option("url", flags.url, "The service's base URL: http[s]://host[:port][/prefix]")->required();
    cmd->add_option("--generations", flags.generations, "Generations to run (default 100)")
        ->check(CLI::Range(1, 100000));
    cmd->add_option("--concurrency", flags.concurrency,
                    "Generations in flight, and clients reading in the read phase (default 10)")
        ->check(CLI::Range(1, 256));
    cmd->add_option("--read-seconds", flags.read_seconds, "Length of the API read phase (default 20)")
        ->check(CLI::Range(1, 3600));
    cmd->add_option("--bars", flags.bars, "Length of each generation in bars (default 8)")
        ->check(CLI::Range(compose::kMinTrackBars, compose::kMaxTrackBars));
    cmd->add_option("--gen-p95-ms", flags.gen_p95_ms,
                    "Target for the generations' end-to-end p95 (default 3000)")
        ->check(CLI::PositiveNumber);
    cmd->add_option("--api-p95-ms", flags.api_p95_ms, "Target for the API reads' p95 (default 500)")
        ->check(CLI::PositiveNumber);
    cmd->add_option("--timeout", flags.timeout_s, "Seconds to wait for each generation's job (default 180)")
        ->check(CLI::Range(1, 3600));
    cmd->add_option("--prompt", flags.prompt, "The generations' prompt (default: a short amapiano prompt)");
    cmd->add_flag("--keep", flags.keep, "Keep the throwaway account and its tracks (printed at the end)");
    cmd->add_flag("--json", flags.json, "One JSON document on stdout instead of the tables");
    cmd->add_option("--header", flags.headers,
                    "NAME:VALUE sent with every request to the service (repeatable)")
        ->allow_extra_args(false);
    return cmd;
}

int RunLoadTest(const LoadTestFlags& flags) {
    ops::LoadTestOptions options;
    options.url = flags.url;
    options.generations = flags.generations;
    options.concurrency = flags.concurrency;
    options.read_duration = std::chrono::seconds(flags.read_seconds);
    options.bars = flags.bars;
    options.gen_p95_ms = flags.gen_p95_ms;
    options.api_p95_ms = flags.api_p95_ms;
    options.job_timeout = std::chrono::seconds(flags.timeout_s);
    options.keep = flags.keep;
    if (!flags.prompt.empty()) options.prompt = flags.prompt;
    for (const std::string& text : flags.headers) {
        auto header = ops::ParseHeader(text);
        if (!header) return UsageError(header.error().message);
        options.headers.push_back(std::move(*header));
    }
    options.on_progress = [](std::string_view line) {
        std::fprintf(stderr, "loadtest: %.*s\n", int(line.size()), line.data());
    };
    auto report = ops::RunLoadTest(options);
    if (!report) {
        if (report.error().code == ErrorCode::kInvalidArgument) return UsageError(report.error().message);
        std::cerr << "amapiano loadtest: " << report.error().message << "\n";
        return ExitCodeFor(report.error().code);
    }
    if (flags.json) {
        std::printf("%s\n", ops::LoadTestJson(*report)
                                .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)
                                .c_str());
    } else {
        std::fputs(ops::LoadTestText(*report).c_str(), stdout);
    }
    if (report->rate_limited > 0)
        std::fprintf(stderr, "loadtest: hint: %s\n", std::string(ops::kRateLimitHint).c_str());
    return report->Passed() ? kExitOk : kExitRuntimeError;
}

}  // namespace amapiano::cli
