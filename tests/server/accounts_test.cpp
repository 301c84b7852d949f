// Accounts over a real SQLite database: sign-up rules, argon2id hashes, hashed opaque tokens, generic
// login failures, rate limiting per account and per address, logout and expiry.
#include "server/accounts.h"

#include <gtest/gtest.h>
#include <sodium.h>

#include <thread>

#include "store/checksum.h"
#include "store/migrations.h"
#include "store/sqlite_database.h"
#include "support/temp_dir.h"

namespace amapiano::server {
namespace {

using testing_support::TempDir;

class AccountsTest : public ::testing::Test {
protected:
    void SetUp() override {
        auto db = store::OpenSqlite(dir_ / "a.sqlite3");
        ASSERT_TRUE(db) << db.error().message;
        db_ = std::move(*db);
        ASSERT_TRUE(store::Migrate(*db_, store::SchemaMigrations()));
        accounts_ = Make({});
    }
    std::unique_ptr<Accounts> Make(AccountOptions options) {
        // The cheapest argon2id settings keep the suite fast; production uses the interactive ones.
        options.hash_ops_limit = crypto_pwhash_OPSLIMIT_MIN;
        options.hash_memory_limit = crypto_pwhash_MEMLIMIT_MIN;
        auto a = Accounts::Create(*db_, options);
        EXPECT_TRUE(a) << a.error().message;
        return a ? std::move(*a) : nullptr;
    }
    TempDir dir_;
    std::unique_ptr<store::Database> db_;
    std::unique_ptr<Accounts> accounts_;
};

TEST_F(AccountsTest, SignUpStoresAnArgon2idHashAndOnlyTheTokensDigest) {
    auto s = accounts_->SignUp("  Ada@Example.COM ", "correct horse battery", " Ada L. ");
    ASSERT_TRUE(s) << s.error().message;
    EXPECT_EQ(s->user.email, "ada@example.com");
    EXPECT_EQ(s->user.display_name, "Ada L.");
    EXPECT_EQ(s->user.id.size(), 26u);
    EXPECT_EQ(s->token.size(), 43u);

    auto hash = db_->Query("SELECT password_hash FROM users WHERE id = $1", {s->user.id});
    ASSERT_TRUE(hash);
    EXPECT_EQ(hash->front().Text(0).rfind("$argon2id$", 0), 0u) << hash->front().Text(0);
    EXPECT_EQ(hash->front().Text(0).find("correct horse"), std::string::npos);
    auto sessions = db_->Query("SELECT token_hash FROM sessions");
    ASSERT_EQ(sessions->size(), 1u);
    EXPECT_EQ(sessions->front().Text(0), store::Sha256Hex(s->token));
    EXPECT_NE(sessions->front().Text(0), s->token);

    auto who = accounts_->Authenticate(s->token);
    ASSERT_TRUE(who) << who.error().message;
    EXPECT_EQ(who->id, s->user.id);
}

TEST_F(AccountsTest, SignUpRefusesBadFieldsAndTakenAddresses) {
    struct Case {
        const char *email, *password, *name, *field;
    };
    for (const Case& c :
         {Case{"not-an-address", "long enough", "A", "email"}, Case{"a@b", "long enough", "A", "email"},
          Case{"a b@c.de", "long enough", "A", "email"}, Case{"a@b.c", "short", "A", "password"},
          Case{"a@b.c", "long enough", "   ", "display_name"},
          Case{"a@b.c", "long enough", "bell\x07", "display_name"}}) {
        auto r = accounts_->SignUp(c.email, c.password, c.name);
        ASSERT_FALSE(r) << c.email;
        EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument) << c.email;
        EXPECT_EQ(r.error().message.rfind(c.field, 0), 0u) << r.error().message;
    }
    ASSERT_TRUE(accounts_->SignUp("a@b.cd", "long enough", "A"));
    auto again = accounts_->SignUp("A@B.CD", "another one", "B");
    ASSERT_FALSE(again);
    EXPECT_EQ(again.error().code, ErrorCode::kConflict);
    EXPECT_EQ(db_->Query("SELECT id FROM users")->size(), 1u);
}

TEST_F(AccountsTest, LoginFailuresAreGenericAndLogoutEndsTheSession) {
    ASSERT_TRUE(accounts_->SignUp("ada@example.com", "correct horse", "Ada"));
    auto wrong = accounts_->Login("ada@example.com", "wrong horse", "10.0.0.1");
    auto unknown = accounts_->Login("bob@example.com", "correct horse", "10.0.0.1");
    ASSERT_FALSE(wrong);
    ASSERT_FALSE(unknown);
    EXPECT_EQ(wrong.error().code, ErrorCode::kUnauthenticated);
    EXPECT_EQ(wrong.error().message, unknown.error().message);

    auto s = accounts_->Login("ADA@example.com", "correct horse", "10.0.0.1");
    ASSERT_TRUE(s) << s.error().message;
    ASSERT_TRUE(accounts_->Authenticate(s->token));
    ASSERT_TRUE(accounts_->Logout(s->token));
    auto after = accounts_->Authenticate(s->token);
    ASSERT_FALSE(after);
    EXPECT_EQ(after.error().code, ErrorCode::kUnauthenticated);
    EXPECT_TRUE(accounts_->Logout(s->token));  // twice is fine
    EXPECT_EQ(accounts_->Authenticate("").error().code, ErrorCode::kUnauthenticated);
    EXPECT_EQ(accounts_->Authenticate(std::string(300, 'x')).error().code, ErrorCode::kUnauthenticated);
}

TEST_F(AccountsTest, TooManyFailuresAreLimitedPerAccountAndPerAddress) {
    AccountOptions options;
    options.max_failures_per_account = 3;
    options.max_failures_per_address = 5;
    auto accounts = Make(options);
    ASSERT_TRUE(accounts->SignUp("ada@example.com", "correct horse", "Ada"));
    ASSERT_TRUE(accounts->SignUp("bob@example.com", "battery staple", "Bob"));
    for (int i = 0; i < 3; ++i) {
        EXPECT_EQ(accounts->Login("ada@example.com", "guess", "10.0.0." + std::to_string(i)).error().code,
                  ErrorCode::kUnauthenticated);
    }
    // Ada's account is locked for now, even with the right password and from a new address...
    auto locked = accounts->Login("ada@example.com", "correct horse", "10.0.0.99");
    ASSERT_FALSE(locked);
    EXPECT_EQ(locked.error().code, ErrorCode::kRateLimited);
    // ... while Bob can still log in.
    EXPECT_TRUE(accounts->Login("bob@example.com", "battery staple", "10.0.0.99"));

    // One address guessing across many accounts is stopped too.
    for (int i = 0; i < 5; ++i)
        (void)accounts->Login("user" + std::to_string(i) + "@x.io", "guess", "192.0.2.7");
    EXPECT_EQ(accounts->Login("bob@example.com", "battery staple", "192.0.2.7").error().code,
              ErrorCode::kRateLimited);
    EXPECT_TRUE(accounts->Login("bob@example.com", "battery staple", "192.0.2.8"));
}

TEST_F(AccountsTest, ExpiredSessionsDoNotAuthenticate) {
    AccountOptions options;
    options.session_lifetime = std::chrono::seconds(1);
    auto accounts = Make(options);
    auto s = accounts->SignUp("ada@example.com", "correct horse", "Ada");
    ASSERT_TRUE(s);
    ASSERT_TRUE(accounts->Authenticate(s->token));
    std::this_thread::sleep_for(std::chrono::milliseconds(1100));
    auto expired = accounts->Authenticate(s->token);
    ASSERT_FALSE(expired);
    EXPECT_EQ(expired.error().code, ErrorCode::kUnauthenticated);
}

}  // namespace
}  // namespace amapiano::server
