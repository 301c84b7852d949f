// Process exit codes, and the one mapping from Error codes to them.
#pragma once

#include "core/error.h"

namespace amapiano::cli {

inline constexpr int kExitOk = 0;
inline constexpr int kExitRuntimeError = 1;  // the request was fine, doing it failed (I/O, corrupt input)
inline constexpr int kExitUsageError = 2;    // the request itself is wrong (flags, values, extensions)

int ExitCodeFor(ErrorCode code);

}  // namespace amapiano::cli
