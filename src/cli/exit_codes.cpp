#include "cli/exit_codes.h"

namespace amapiano::cli {

int ExitCodeFor(ErrorCode code) {
    switch (code) {
        case ErrorCode::kInvalidArgument:
        case ErrorCode::kUnsupported: return kExitUsageError;
        case ErrorCode::kNotFound:
        case ErrorCode::kIo:
        case ErrorCode::kCorruptData:
        case ErrorCode::kUnavailable:
        case ErrorCode::kConflict:
        case ErrorCode::kUnauthenticated:
        case ErrorCode::kRateLimited:
        case ErrorCode::kInternal: return kExitRuntimeError;
    }
    return kExitRuntimeError;
}

}  // namespace amapiano::cli
