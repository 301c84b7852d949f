// Error and Result<T>: the project's way of returning expected failures.
//
// Anything a caller can reasonably expect to go wrong (bad input, a missing file, an unwritable path,
// a store that is down) is returned as an Error inside a Result; exceptions are reserved for start-up
// failures and programmer errors. Codes are stable snake_case strings (they appear in JSON error
// objects and logs); the mapping from code to CLI exit status lives in src/cli/exit_codes.cpp and the
// mapping to HTTP status will live in exactly one place in src/server/.
//
//   Result<Key> key = ParseKey("F#m");
//   if (!key) return key.error();
//   UseKey(*key);
#pragma once

#include <cassert>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace amapiano {

enum class ErrorCode {
    kInvalidArgument,  // the caller passed something malformed or out of range
    kNotFound,         // a named thing (file, record) does not exist
    kUnsupported,      // well-formed but not something we handle (unknown extension, codec)
    kIo,               // reading or writing failed (permissions, disk full, ...)
    kCorruptData,      // input exists but cannot be decoded
    kUnavailable,      // a dependency (store, service) is not reachable right now
    kConflict,         // it already exists or was changed meanwhile (a taken e-mail, a unique key)
    kUnauthenticated,  // missing, wrong or expired credentials
    kRateLimited,      // too many attempts; try again later
    kInternal,         // a bug: an invariant did not hold
};

// Stable snake_case name of a code, e.g. "invalid_argument".
std::string_view ErrorCodeName(ErrorCode code);

struct Error final {
    ErrorCode code = ErrorCode::kInternal;
    std::string message;  // one clear sentence for a human, no trailing newline

    static Error InvalidArgument(std::string message) {
        return {ErrorCode::kInvalidArgument, std::move(message)};
    }
    static Error NotFound(std::string message) { return {ErrorCode::kNotFound, std::move(message)}; }
    static Error Unsupported(std::string message) { return {ErrorCode::kUnsupported, std::move(message)}; }
    static Error Io(std::string message) { return {ErrorCode::kIo, std::move(message)}; }
    static Error CorruptData(std::string message) { return {ErrorCode::kCorruptData, std::move(message)}; }
    static Error Conflict(std::string message) { return {ErrorCode::kConflict, std::move(message)}; }
    static Error Unauthenticated(std::string message) {
        return {ErrorCode::kUnauthenticated, std::move(message)};
    }
    static Error RateLimited(std::string message) { return {ErrorCode::kRateLimited, std::move(message)}; }
    static Error Unavailable(std::string message) { return {ErrorCode::kUnavailable, std::move(message)}; }
    static Error Internal(std::string message) { return {ErrorCode::kInternal, std::move(message)}; }
};

// Value-or-Error. Converts from either a T or an Error, so functions can `return value;` and
// `return Error::Io("...");` alike.
template <typename T>
class [[nodiscard]] Result final {
public:
    Result(T value) : state_(std::move(value)) {}      // NOLINT(google-explicit-constructor)
    Result(Error error) : state_(std::move(error)) {}  // NOLINT(google-explicit-constructor)

    bool ok() const { return std::holds_alternative<T>(state_); }
    explicit operator bool() const { return ok(); }

    T& value() & {
        assert(ok());
        return std::get<T>(state_);
    }
    const T& value() const& {
        assert(ok());
        return std::get<T>(state_);
    }
    T&& value() && {
        assert(ok());
        return std::get<T>(std::move(state_));
    }
    const Error& error() const {
        assert(!ok());
        return std::get<Error>(state_);
    }

    T& operator*() & { return value(); }
    const T& operator*() const& { return value(); }
    T* operator->() { return &value(); }
    const T* operator->() const { return &value(); }

private:
    std::variant<T, Error> state_;
};

// Result for operations that produce no value.
class [[nodiscard]] Status final {
public:
    Status() = default;
    Status(Error error) : error_(std::move(error)), ok_(false) {}  // NOLINT(google-explicit-constructor)
    static Status Ok() { return {}; }

    bool ok() const { return ok_; }
    explicit operator bool() const { return ok_; }
    const Error& error() const {
        assert(!ok_);
        return error_;
    }

private:
    Error error_;
    bool ok_ = true;
};

}  // namespace amapiano
