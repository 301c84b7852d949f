// Local-directory backend of ObjectStore: the embedded default (`<data dir>/objects`). An object is
// the file <root>/<key>; writes go to a hidden temporary file beside it, are flushed and renamed into
// place (core/atomic_file.h), so a crash leaves either the old object or the new one — and at most a
// hidden temporary file, which List never reports.
#pragma once

#include <filesystem>
#include <memory>

#include "store/object_store.h"

namespace amapiano::store {

// Creates `root` if needed. Errors: kIo when it cannot be created or is not a directory.
Result<std::unique_ptr<ObjectStore>> OpenLocalObjectStore(const std::filesystem::path& root);

}  // namespace amapiano::store
