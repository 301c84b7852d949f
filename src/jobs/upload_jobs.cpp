#include "jobs/upload_jobs.h"

#include "pipeline/analysis_json.h"
#include "pipeline/analyze_file.h"
#include "pipeline/validate_file.h"
#include "pipeline/validation_json.h"

namespace amapiano::jobs {
namespace {

// The upload copied to a private file for the decoder; removed when done.
struct LocalCopy final {
    std::filesystem::path path;
    ~LocalCopy() {
        std::error_code ec;
        if (!path.empty()) std::filesystem::remove(path, ec);
    }
};

Result<std::string> FetchUpload(store::ObjectStore& objects, const Job& job,
                                const std::filesystem::path& scratch_dir, LocalCopy& copy) {
    if (!job.params.contains("upload_key") || !job.params["upload_key"].is_string()) {
        return Error::InvalidArgument("job " + job.id + " names no upload");
    }
    std::error_code ec;
    std::filesystem::create_directories(scratch_dir, ec);
    copy.path = scratch_dir / ("upload-" + job.id + "-" + std::to_string(job.attempts));
    // Streamed: an upload of hundreds of megabytes never sits in memory whole.
    if (Status s = store::GetObjectToFile(objects, job.params["upload_key"].get<std::string>(), copy.path);
        !s)
        return s.error();
    std::string name = job.params.value("filename", std::string());
    return name.empty() ? std::string("upload") : name;
}

// The decoder names the file it read; the user knows the upload by its own name.
Error AboutUpload(const Error& e, const LocalCopy& copy, const std::string& name) {
    std::string message = e.message;
    for (const std::string& internal : {copy.path.string(), copy.path.filename().string()}) {
        for (size_t at = message.find(internal); at != std::string::npos;
             at = message.find(internal, at + name.size())) {
            message.replace(at, internal.size(), name);
        }
    }
    return Error{e.code, message};
}

}  // namespace

std::string UploadKey(std::string_view job_id) { return "uploads/" + std::string(job_id); }

JobRunner MakeAnalysisRunner(store::ObjectStore& objects, std::filesystem::path scratch_dir) {
    return [&objects, scratch_dir](const Job& job, JobContext& context) -> Result<JobOutcome> {
        LocalCopy copy;
        auto name = FetchUpload(objects, job, scratch_dir, copy);
        if (!name) return name.error();
        context.Progress(0.1);
        auto analysed = pipeline::AnalyzeFile(copy.path, analysis::FeatureSet::All());
        if (!analysed) return AboutUpload(analysed.error(), copy, *name);
        JobOutcome outcome;
        outcome.result = {{"analysis", pipeline::AnalysisJson(*name, analysed->analysis)}};
        return outcome;
    };
}

JobRunner MakeValidationRunner(store::ObjectStore& objects, std::filesystem::path scratch_dir) {
    return [&objects, scratch_dir](const Job& job, JobContext& context) -> Result<JobOutcome> {
        LocalCopy copy;
        auto name = FetchUpload(objects, job, scratch_dir, copy);
        if (!name) return name.error();
        validate::ValidationOptions options;
        if (job.params.contains("subgenre") && job.params["subgenre"].is_string()) {
            options.subgenre = compose::ParseSubgenre(job.params["subgenre"].get<std::string>());
        }
        context.Progress(0.1);
        auto validated = pipeline::ValidateFile(copy.path, options);
        if (!validated)
            return Error{validated.error().code, "the uploaded file: " + validated.error().message};
        JobOutcome outcome;
        outcome.result = {{"validation", pipeline::ValidationJson(*name, validated->report)}};
        return outcome;
    };
}

JobCleanup UploadCleanup(store::ObjectStore& objects) {
    return [&objects](const Job& job) { (void)objects.Delete(UploadKey(job.id)); };
}

}  // namespace amapiano::jobs
