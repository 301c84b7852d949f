#include "server/accounts.h"

#include <sodium.h>

#include <algorithm>
#include <cctype>
#include <optional>

#include "core/clock.h"
#include "core/ids.h"
#include "core/text.h"
#include "store/checksum.h"

namespace amapiano::server {

using store::Sha256Hex;
namespace {

constexpr size_t kMinPasswordBytes = 8;
constexpr size_t kMaxPasswordBytes = 1024;
constexpr size_t kMaxEmailBytes = 254;
constexpr size_t kMaxDisplayNameBytes = 80;
constexpr size_t kTokenBytes = 32;
constexpr const char* kWrongCredentials = "wrong e-mail address or password";

bool HasControl(std::string_view s) {
    return std::any_of(s.begin(), s.end(),
                       [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f; });
}

User UserFrom(const store::SqlRow& row) { return {row.Text(0), row.Text(1), row.Text(2), row.Text(3)}; }

}  // namespace

Result<std::string> Accounts::NormaliseEmail(std::string_view email) {
    const std::string_view trimmed = TrimWhitespace(email);
    const size_t at = trimmed.find('@');
    const bool shaped = at != std::string_view::npos && at > 0 &&
                        trimmed.find('@', at + 1) == std::string_view::npos &&
                        trimmed.find('.', at + 2) != std::string_view::npos && trimmed.back() != '.';
    const bool clean =
        std::none_of(trimmed.begin(), trimmed.end(),
                     [](char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; }) &&
        !HasControl(trimmed);
    if (!shaped || !clean || trimmed.size() > kMaxEmailBytes) {
        return Error::InvalidArgument("email: not an e-mail address");
    }
    return AsciiLower(trimmed);
}

Result<std::unique_ptr<Accounts>> Accounts::Create(store::Database& db, const AccountOptions& options) {
    if (sodium_init() < 0) return Error::Internal("libsodium could not be initialised");
    AccountOptions o = options;
    if (o.hash_ops_limit == 0) o.hash_ops_limit = crypto_pwhash_OPSLIMIT_INTERACTIVE;
    if (o.hash_memory_limit == 0) o.hash_memory_limit = crypto_pwhash_MEMLIMIT_INTERACTIVE;
    std::unique_ptr<Accounts> accounts(new Accounts(db, o, {}));
    auto dummy = accounts->Hash(RandomToken(16));
    if (!dummy) return dummy.error();
    accounts->dummy_hash_ = std::move(*dummy);
    return accounts;
}

Accounts::Accounts(store::Database& db, const AccountOptions& options, std::string dummy_hash)
    : db_(db), options_(options), dummy_hash_(std::move(dummy_hash)) {}

Result<std::string> Accounts::Hash(std::string_view password) const {
    char hash[crypto_pwhash_STRBYTES];
    if (crypto_pwhash_str_alg(hash, password.data(), password.size(), options_.hash_ops_limit,
                              options_.hash_memory_limit, crypto_pwhash_ALG_ARGON2ID13) != 0) {
        return Error::Unavailable("not enough memory to hash the password");
    }
    return std::string(hash);
}

Result<Session> Accounts::StartSession(store::SqlSession& sql, const User& user) {
    Session session;
    session.user = user;
    session.token = RandomToken(kTokenBytes);
    const auto now = std::chrono::system_clock::now();
    session.expires_at = UtcTimestamp(now + options_.session_lifetime);
    auto r = sql.Execute(
        "INSERT INTO sessions (token_hash, user_id, created_at, expires_at) VALUES ($1, $2, $3, $4)",
        {Sha256Hex(session.token), user.id, UtcTimestamp(now), session.expires_at});
    if (!r) return r.error();
    return session;
}

Result<Session> Accounts::SignUp(std::string_view email, std::string_view password,
                                 std::string_view display_name) {
    auto normalised = NormaliseEmail(email);
    if (!normalised) return normalised.error();
    if (password.size() < kMinPasswordBytes || password.size() > kMaxPasswordBytes) {
        return Error::InvalidArgument("password: must be " + std::to_string(kMinPasswordBytes) + " to " +
                                      std::to_string(kMaxPasswordBytes) + " bytes long");
    }
    const std::string_view name = TrimWhitespace(display_name);
    if (name.empty() || name.size() > kMaxDisplayNameBytes || HasControl(name)) {
        return Error::InvalidArgument("display_name: must be 1 to " + std::to_string(kMaxDisplayNameBytes) +
                                      " printable characters");
    }
    auto hash = Hash(password);
    if (!hash) return hash.error();
    const User user{NewId(), *normalised, std::string(name), UtcTimestamp()};
    Session session;
    const Status s = db_.Transaction([&](store::SqlSession& sql) -> Status {
        auto r = sql.Execute(
            "INSERT INTO users (id, email, display_name, password_hash, created_at) VALUES ($1, $2, $3, $4, "
            "$5)",
            {user.id, user.email, user.display_name, *hash, user.created_at});
        if (!r) {
            if (r.error().code == ErrorCode::kConflict) {
                return Error::Conflict("email: an account with this address already exists");
            }
            return r.error();
        }
        auto started = StartSession(sql, user);
        if (!started) return started.error();
        session = std::move(*started);
        return {};
    });
    if (!s) return s.error();
    return session;
}

bool Accounts::Limited(const std::string& key, int limit, std::chrono::steady_clock::time_point now) {
    std::lock_guard lock(failures_mutex_);
    auto it = failures_.find(key);
    if (it == failures_.end()) return false;
    while (!it->second.empty() && now - it->second.front() > options_.failure_window) it->second.pop_front();
    if (it->second.empty()) {
        failures_.erase(it);
        return false;
    }
    return int(it->second.size()) >= limit;
}

void Accounts::RecordFailure(const std::string& key, std::chrono::steady_clock::time_point now) {
    std::lock_guard lock(failures_mutex_);
    failures_[key].push_back(now);
}

Result<Session> Accounts::Login(std::string_view email, std::string_view password, std::string_view address) {
    const auto now = std::chrono::steady_clock::now();
    auto normalised = NormaliseEmail(email);
    const std::string account_key =
        "account:" + (normalised ? *normalised : std::string(TrimWhitespace(email)));
    const std::string address_key = "address:" + std::string(address);
    if (Limited(account_key, options_.max_failures_per_account, now) ||
        Limited(address_key, options_.max_failures_per_address, now)) {
        return Error::RateLimited("too many failed logins; try again in " +
                                  std::to_string(options_.failure_window.count() / 60) + " minutes");
    }
    std::optional<User> user;
    std::string hash = dummy_hash_;
    if (normalised) {
        auto rows =
            db_.Query("SELECT id, email, display_name, created_at, password_hash FROM users WHERE email = $1",
                      {*normalised});
        if (!rows) return rows.error();
        if (!rows->empty()) {
            user = UserFrom(rows->front());
            hash = rows->front().Text(4);
        }
    }
    const bool verified = password.size() <= kMaxPasswordBytes &&
                          crypto_pwhash_str_verify(hash.c_str(), password.data(), password.size()) == 0;
    if (!user || !verified) {
        RecordFailure(account_key, now);
        RecordFailure(address_key, now);
        return Error::Unauthenticated(kWrongCredentials);
    }
    {
        std::lock_guard lock(failures_mutex_);
        failures_.erase(account_key);
    }
    Session session;
    const Status s = db_.Transaction([&](store::SqlSession& sql) -> Status {
        // Expired sessions of this user go when a new one starts.
        if (auto r = sql.Execute("DELETE FROM sessions WHERE user_id = $1 AND expires_at < $2",
                                 {user->id, UtcTimestamp()});
            !r) {
            return r.error();
        }
        auto started = StartSession(sql, *user);
        if (!started) return started.error();
        session = std::move(*started);
        return {};
    });
    if (!s) return s.error();
    return session;
}

Status Accounts::Logout(std::string_view token) {
    auto r = db_.Execute("DELETE FROM sessions WHERE token_hash = $1", {Sha256Hex(token)});
    return r ? Status{} : Status(r.error());
}

Result<User> Accounts::Authenticate(std::string_view token) {
    if (token.empty() || token.size() > 256) return Error::Unauthenticated("missing or malformed token");
    auto rows = db_.Query(
        "SELECT u.id, u.email, u.display_name, u.created_at FROM sessions s JOIN users u ON u.id = s.user_id "
        "WHERE s.token_hash = $1 AND s.expires_at > $2",
        {Sha256Hex(token), UtcTimestamp()});
    if (!rows) return rows.error();
    if (rows->empty()) return Error::Unauthenticated("the session is unknown or has expired; log in again");
    return UserFrom(rows->front());
}

}  // namespace amapiano::server
