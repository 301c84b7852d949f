#include "cli/validate_command.h"

#include <cstdio>
#include <iostream>

#include "cli/analyze_command.h"
#include "cli/exit_codes.h"
#include "pipeline/validate_file.h"
#include "pipeline/validation_json.h"

namespace amapiano::cli {
namespace {

void PrintReport(const std::string& file, const validate::ValidationReport& r) {
    std::printf("%s: %.0f/100 %s (%s)\n", file.c_str(), r.score, r.verdict.c_str(), r.subgenre.c_str());
    for (const validate::CriterionResult& c : r.criteria) {
        const std::string score = c.applicable ? std::to_string(int(c.score * 100 + 0.5)) + "%" : "n/a";
        std::printf("  %-16s %4s  %s\n", c.name.c_str(), score.c_str(), c.feedback.c_str());
    }
    std::printf("  subgenres       ");
    for (const auto& [name, score] : r.subgenre_scores) std::printf(" %s %.0f", name.c_str(), score);
    std::printf("\n");
}

}  // namespace

CLI::App* AddValidateCommand(CLI::App& app, ValidateFlags& flags) {
    CLI::App* cmd =
        app.add_subcommand("validate", "Score how authentically audio files sound like amapiano, and why");
    cmd->add_option("files", flags.files, "Audio files (any format `analyze` reads)")->required();
    cmd->add_option(
        "--subgenre", flags.subgenre,
        "Judge against this subgenre (classic, private-school, bacardi, sgija) instead of the best match");
    cmd->add_flag("--json", flags.json, "One JSON object per file, one per line");
    cmd->add_flag("--timings", flags.timings, "Add the time analysis and scoring took to the output");
    return cmd;
}

int RunValidate(const ValidateFlags& flags) {
    validate::ValidationOptions options;
    if (!flags.subgenre.empty()) {
        options.subgenre = compose::ParseSubgenre(flags.subgenre);
        if (!options.subgenre) {
            std::cerr << "amapiano validate: --subgenre: unknown subgenre '" << flags.subgenre
                      << "' (use classic, private-school, bacardi or sgija)\n";
            return kExitUsageError;
        }
    }
    int exit_code = kExitOk;
    for (const std::string& file : flags.files) {
        auto result = pipeline::ValidateFile(file, options);
        if (!result) {
            exit_code = kExitRuntimeError;
            PrintFileError("validate", file, result.error(), flags.json);
            continue;
        }
        const pipeline::ValidationTimings& t = result->timings;
        if (flags.json) {
            nlohmann::json out = pipeline::ValidationJson(file, result->report);
            if (flags.timings) {
                out["timings"] = {{"total_s", t.analysis.total_s + t.validate_s},
                                  {"decode_s", t.analysis.decode_s},
                                  {"analyse_s", t.analysis.analyse_s},
                                  {"validate_s", t.validate_s}};
            }
            std::cout << out.dump() << "\n";
        } else {
            PrintReport(file, result->report);
            if (flags.timings) {
                std::printf("  time             %.3f s (decode %.3f s, analysis %.3f s, scoring %.4f s)\n",
                            t.analysis.total_s + t.validate_s, t.analysis.decode_s, t.analysis.analyse_s,
                            t.validate_s);
            }
        }
        std::cout.flush();
        std::fflush(stdout);
    }
    return exit_code;
}

}  // namespace amapiano::cli
