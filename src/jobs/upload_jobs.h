// Analysis and validation jobs: an uploaded audio file (stored as an object under uploads/<job id>)
// is analysed — every feature, like `amapiano analyze` — or scored for amapiano authenticity, like
// `amapiano validate`. The result is the same JSON those commands print for one file. The upload is
// deleted once the job has finished for good.
//
//   params: {"upload_key": "uploads/<job id>", "filename": "song.mp3", "subgenre": "bacardi"?}
//   pool.Register("analysis", MakeAnalysisRunner(objects, scratch), UploadCleanup(objects));
#pragma once

#include <filesystem>
#include <string_view>

#include "jobs/worker_pool.h"
#include "store/object_store.h"

namespace amapiano::jobs {

inline constexpr std::string_view kAnalysisJob = "analysis";
inline constexpr std::string_view kValidationJob = "validation";

// The object key an upload for `job_id` is stored under.
std::string UploadKey(std::string_view job_id);

JobRunner MakeAnalysisRunner(store::ObjectStore& objects, std::filesystem::path scratch_dir);
JobRunner MakeValidationRunner(store::ObjectStore& objects, std::filesystem::path scratch_dir);
JobCleanup UploadCleanup(store::ObjectStore& objects);

}  // namespace amapiano::jobs
