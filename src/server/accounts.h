// Accounts: sign-up, login, logout and token authentication over the Database.
//
// Passwords are stored as argon2id hashes (libsodium's crypto_pwhash_str, with its salt and cost in
// the string). A login hands out an opaque random token (32 bytes, base64url); only its SHA-256 is
// stored, so a leaked database does not leak sessions. Failed logins are limited per account and per
// client address within a sliding window, and every failure says the same thing ("wrong e-mail
// address or password"), taking as long for an unknown address as for a wrong password.
//
//   Result<std::unique_ptr<Accounts>> accounts = Accounts::Create(db, {});
//   Result<Session> s = (*accounts)->SignUp("ada@example.com", "correct horse", "Ada");
//   Result<User> who = (*accounts)->Authenticate(s->token);
//
// Errors: kInvalidArgument naming the field (e-mail, password, display name), kConflict for a taken
// e-mail, kUnauthenticated for wrong credentials or an unknown/expired token, kRateLimited after too
// many failures, store errors as they come. Thread-safe.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "store/database.h"

namespace amapiano::server {

struct User final {
    std::string id;
    std::string email;
    std::string display_name;
    std::string created_at;
};

struct Session final {
    User user;
    std::string token;  // give to the client once; never stored
    std::string expires_at;
};

struct AccountOptions final {
    std::chrono::seconds session_lifetime = std::chrono::hours(24 * 30);
    // argon2id cost; the defaults are libsodium's "interactive" limits (~64 MiB, a few tens of ms).
    // Tests lower them.
    uint64_t hash_ops_limit = 0;   // 0: crypto_pwhash_OPSLIMIT_INTERACTIVE
    size_t hash_memory_limit = 0;  // 0: crypto_pwhash_MEMLIMIT_INTERACTIVE
    int max_failures_per_account = 5;
    int max_failures_per_address = 20;
    std::chrono::seconds failure_window = std::chrono::minutes(15);
};

class Accounts final {
public:
    static Result<std::unique_ptr<Accounts>> Create(store::Database& db, const AccountOptions& options);

    Result<Session> SignUp(std::string_view email, std::string_view password, std::string_view display_name);
    // `address`: the client's address, for rate limiting.
    Result<Session> Login(std::string_view email, std::string_view password, std::string_view address);
    // Ends the session of `token` (unknown tokens are fine: the result is the same).
    Status Logout(std::string_view token);
    Result<User> Authenticate(std::string_view token);

    // "ada@example.com" from " Ada@Example.COM "; kInvalidArgument when it is not an address.
    static Result<std::string> NormaliseEmail(std::string_view email);

private:
    Accounts(store::Database& db, const AccountOptions& options, std::string dummy_hash);
    Result<std::string> Hash(std::string_view password) const;
    Result<Session> StartSession(store::SqlSession& sql, const User& user);
    bool Limited(const std::string& key, int limit, std::chrono::steady_clock::time_point now);
    void RecordFailure(const std::string& key, std::chrono::steady_clock::time_point now);

    store::Database& db_;
    AccountOptions options_;
    std::string dummy_hash_;  // verified against when the e-mail is unknown, to take the same time
    std::mutex failures_mutex_;
    std::map<std::string, std::deque<std::chrono::steady_clock::time_point>> failures_;
};

}  // namespace amapiano::server
