#include "core/worker_team.h"

#include <gtest/gtest.h>

#include <atomic>
#include <set>
#include <thread>

namespace amapiano {
namespace {

TEST(WorkerTeam, RunsEveryTaskExactlyOncePerBatch) {
    WorkerTeam team(3);
    for (int batch = 0; batch < 500; ++batch) {
        std::vector<std::atomic<int>> hits(7);
        team.Run(hits.size(), [&](size_t i) { hits[i].fetch_add(1); });
        for (auto& h : hits) ASSERT_EQ(h.load(), 1) << "batch " << batch;
    }
}

TEST(WorkerTeam, UsesMoreThanOneThreadWhenAsked) {
    WorkerTeam team(2);
    std::mutex mutex;
    std::set<std::thread::id> ids;
    for (int batch = 0; batch < 200 && ids.size() < 2; ++batch) {
        team.Run(8, [&](size_t) {
            std::this_thread::sleep_for(std::chrono::microseconds(200));
            std::lock_guard<std::mutex> lock(mutex);
            ids.insert(std::this_thread::get_id());
        });
    }
    EXPECT_EQ(ids.size(), 2u);
}

TEST(WorkerTeam, SingleThreadTeamRunsInline) {
    WorkerTeam team(1);
    const auto caller = std::this_thread::get_id();
    team.Run(4, [&](size_t) { EXPECT_EQ(std::this_thread::get_id(), caller); });
    EXPECT_EQ(team.size(), 1u);
}

}  // namespace
}  // namespace amapiano
