#include "core/error.h"

namespace amapiano {

std::string_view ErrorCodeName(ErrorCode code) {
    switch (code) {
        case ErrorCode::kInvalidArgument: return "invalid_argument";
        case ErrorCode::kNotFound: return "not_found";
        case ErrorCode::kUnsupported: return "unsupported";
        case ErrorCode::kIo: return "io_error";
        case ErrorCode::kCorruptData: return "corrupt_data";
        case ErrorCode::kUnavailable: return "unavailable";
        case ErrorCode::kConflict: return "conflict";
        case ErrorCode::kUnauthenticated: return "unauthenticated";
        case ErrorCode::kRateLimited: return "rate_limited";
        case ErrorCode::kInternal: return "internal";
    }
    return "internal";
}

}  // namespace amapiano
