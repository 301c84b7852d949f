#include "cli/app.h"

#include <CLI/CLI.hpp>
#include <iostream>

#include "cli/analyze_command.h"
#include "cli/exit_codes.h"
#include "cli/generate_command.h"
#include "cli/loadtest_command.h"
#include "cli/migrate_command.h"
#include "cli/serve_command.h"
#include "cli/smoke_command.h"
#include "cli/validate_command.h"
#include "cli/worker_command.h"

#ifndef AMAPIANO_VERSION
#define AMAPIANO_VERSION "dev"
#endif

namespace amapiano::cli {

int RunApp(int argc, char** argv) {
    CLI::App app{"amapiano: compose, render, analyse and teach amapiano music"};
    app.set_version_flag("--version", AMAPIANO_VERSION);
    app.require_subcommand(1);
    GenerateFlags generate_flags;
    CLI::App* generate = AddGenerateCommand(app, generate_flags);
    AnalyzeFlags analyze_flags;
    CLI::App* analyze = AddAnalyzeCommand(app, analyze_flags);
    ValidateFlags validate_flags;
    CLI::App* validate = AddValidateCommand(app, validate_flags);
    ServeFlags serve_flags;
    CLI::App* serve = AddServeCommand(app, serve_flags);
    WorkerFlags worker_flags;
    CLI::App* worker = AddWorkerCommand(app, worker_flags);
    MigrateFlags migrate_flags;
    CLI::App* migrate = AddMigrateCommand(app, migrate_flags);
    SmokeFlags smoke_flags;
    CLI::App* smoke = AddSmokeCommand(app, smoke_flags);
    LoadTestFlags loadtest_flags;
    CLI::App* loadtest = AddLoadTestCommand(app, loadtest_flags);
    try {
        app.parse(argc, argv);
    } catch (const CLI::CallForHelp& e) {
        return app.exit(e);
    } catch (const CLI::CallForAllHelp& e) {
        return app.exit(e);
    } catch (const CLI::CallForVersion& e) {
        return app.exit(e);
    } catch (const CLI::ParseError& e) {
        std::cerr << "amapiano: " << e.what() << " (see amapiano --help)\n";
        return kExitUsageError;
    }
    if (generate->parsed()) return RunGenerate(generate_flags);
    if (analyze->parsed()) return RunAnalyze(analyze_flags);
    if (validate->parsed()) return RunValidate(validate_flags);
    if (serve->parsed()) return RunServe(serve_flags, AMAPIANO_VERSION);
    if (worker->parsed()) return RunWorkerCommand(worker_flags, AMAPIANO_VERSION);
    if (migrate->parsed()) return RunMigrate(migrate_flags);
    if (smoke->parsed()) return RunSmoke(smoke_flags);
    if (loadtest->parsed()) return RunLoadTest(loadtest_flags);
    return kExitUsageError;
}

}  // namespace amapiano::cli
