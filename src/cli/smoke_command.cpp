#include "cli/smoke_command.h"

#include <cstdio>
#include <iostream>
#include <nlohmann/json.hpp>

#include "cli/exit_codes.h"
#include "ops/smoke.h"

namespace amapiano::cli {
namespace {

int UsageError(const std::string& message) {
    std::cerr << "amapiano smoke: " << message << " (see amapiano smoke --help)\n";
    return kExitUsageError;
}

}  // namespace

CLI::App* AddSmokeCommand(CLI::App& app, SmokeFlags& flags) {
    CLI::App* cmd = app.add_subcommand(
        "smoke", "Check a running service end to end with a throwaway account (post-deploy smoke test)");
    cmd->add_option("url", flags.url, "The service's base URL: http[s]://host[:port][/prefix]")->required();
    cmd->add_flag("--json", flags.json, "One JSON document on stdout instead of a line per step");
    cmd->add_option("--timeout", flags.timeout_s, "Seconds to wait for each job (default 180)")
        ->check(CLI::Range(1, 3600));
    cmd->add_option("--prompt", flags.prompt, "The generation's prompt (default: a short amapiano prompt)");
    cmd->add_option("--header", flags.headers,
                    "NAME:VALUE sent with every request to the service (repeatable; e.g. a Host header "
                    "when the URL names an address)")
        ->allow_extra_args(false);
    return cmd;
}

int RunSmoke(const SmokeFlags& flags) {
    ops::SmokeOptions options;
    options.url = flags.url;
    options.job_timeout = std::chrono::seconds(flags.timeout_s);
    if (!flags.prompt.empty()) options.prompt = flags.prompt;
    for (const std::string& text : flags.headers) {
        auto header = ops::ParseHeader(text);
        if (!header) return UsageError(header.error().message);
        options.headers.push_back(std::move(*header));
    }
    if (!flags.json) {
        options.on_step = [](const ops::SmokeStep& step) {
            std::printf("%s\n", ops::SmokeStepLine(step).c_str());
            std::fflush(stdout);
        };
    }
    auto report = ops::RunSmoke(options);
    if (!report) {
        if (report.error().code == ErrorCode::kInvalidArgument) return UsageError(report.error().message);
        std::cerr << "amapiano smoke: " << report.error().message << "\n";
        return ExitCodeFor(report.error().code);
    }
    if (flags.json) {
        std::printf(
            "%s\n",
            ops::SmokeJson(*report).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace).c_str());
    } else {
        std::printf("%s\n", ops::SmokeSummaryLine(*report).c_str());
    }
    return report->Passed() ? kExitOk : kExitRuntimeError;
}

}  // namespace amapiano::cli
