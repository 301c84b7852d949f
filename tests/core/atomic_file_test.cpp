#include "core/atomic_file.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <vector>

#include "support/cli_run.h"
#include "support/temp_dir.h"

namespace amapiano {
namespace {

using testing_support::Slurp;
using testing_support::TempDir;

TEST(TemporaryPathFor, IsHiddenBesideTheDestinationAndUnique) {
    const std::filesystem::path dest = "/some/dir/song.wav";
    const std::filesystem::path a = TemporaryPathFor(dest), b = TemporaryPathFor(dest);
    EXPECT_EQ(a.parent_path(), dest.parent_path());
    EXPECT_EQ(a.filename().string().rfind(".song.wav.", 0), 0u) << a;
    EXPECT_EQ(a.extension(), ".tmp");
    EXPECT_NE(a, b);
}

TEST(WriteFileAtomically, WritesAndReplaces) {
    TempDir dir;
    const auto path = dir / "data.bin";
    const std::vector<uint8_t> first = {1, 2, 3}, second = {9, 8};
    ASSERT_TRUE(WriteFileAtomically(path, first).ok());
    ASSERT_TRUE(WriteFileAtomically(path, second).ok());
    const std::string bytes = Slurp(path);
    ASSERT_EQ(bytes.size(), 2u);
    EXPECT_EQ(bytes[0], 9);
    const auto entries = std::distance(std::filesystem::directory_iterator(dir.path()), {});
    EXPECT_EQ(entries, 1);  // no temporary left behind
}

TEST(WriteFileAtomically, MissingDirectoryIsAnIoErrorNamingThePath) {
    const std::vector<uint8_t> bytes = {1};
    const Status status = WriteFileAtomically("/nonexistent-amapiano-dir/x.mid", bytes);
    ASSERT_FALSE(status.ok());
    EXPECT_EQ(status.error().code, ErrorCode::kIo);
    EXPECT_NE(status.error().message.find("/nonexistent-amapiano-dir/"), std::string::npos);
    EXPECT_NE(status.error().message.find("No such file"), std::string::npos) << status.error().message;
}

}  // namespace
}  // namespace amapiano
