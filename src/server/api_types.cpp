#include "server/api_types.h"

namespace amapiano::server {

ApiResponse ApiResponse::Json(int status, const nlohmann::json& body) {
    ApiResponse r;
    r.status = status;
    r.body = body.dump();
    return r;
}

ApiResponse ApiResponse::NoContent() {
    ApiResponse r;
    r.status = 204;
    r.content_type.clear();
    return r;
}

ApiResponse ErrorResponse(int status, std::string_view code, std::string_view message) {
    return ApiResponse::Json(status, {{"error", {{"code", code}, {"message", message}}}});
}

ApiResponse ErrorResponse(const Error& error) {
    int status = 500;
    switch (error.code) {
        case ErrorCode::kInvalidArgument: status = 422; break;
        case ErrorCode::kNotFound: status = 404; break;
        case ErrorCode::kUnsupported: status = 415; break;
        case ErrorCode::kCorruptData: status = 422; break;
        case ErrorCode::kConflict: status = 409; break;
        case ErrorCode::kUnauthenticated: status = 401; break;
        case ErrorCode::kRateLimited: status = 429; break;
        case ErrorCode::kUnavailable: status = 503; break;
        case ErrorCode::kIo:
        case ErrorCode::kInternal:
        default: status = 500; break;
    }
    // Internal details stay in the log, not in the response.
    if (status == 500) return ErrorResponse(500, "internal", "something went wrong on our side");
    ApiResponse r = ErrorResponse(status, ErrorCodeName(error.code), error.message);
    if (status == 429) r.headers.emplace_back("Retry-After", "60");
    return r;
}

}  // namespace amapiano::server
