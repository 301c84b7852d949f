// ConnectionPool: a fixed set of database connections lent out one at a time, shared by the SQLite
// and PostgreSQL backends. A borrower waits until a connection is free; the lease gives it back when
// it goes out of scope, also when the work in between throws.
//
//   ConnectionPool<Connection> pool;
//   pool.Add(std::move(connection));
//   { auto c = pool.Borrow(); c->Exec("..."); }   // returned here
#pragma once

#include <condition_variable>
#include <memory>
#include <mutex>
#include <vector>

namespace amapiano::store {

template <typename Connection>
class ConnectionPool final {
public:
    class Lease final {
    public:
        Lease(ConnectionPool& pool, std::unique_ptr<Connection> c) : pool_(pool), c_(std::move(c)) {}
        ~Lease() { pool_.Return(std::move(c_)); }
        Lease(const Lease&) = delete;
        Lease& operator=(const Lease&) = delete;
        Connection& operator*() const { return *c_; }
        Connection* operator->() const { return c_.get(); }

    private:
        ConnectionPool& pool_;
        std::unique_ptr<Connection> c_;
    };

    void Add(std::unique_ptr<Connection> c) { Return(std::move(c)); }

    Lease Borrow() {
        std::unique_lock lock(mutex_);
        available_.wait(lock, [&] { return !free_.empty(); });
        std::unique_ptr<Connection> c = std::move(free_.back());
        free_.pop_back();
        return Lease(*this, std::move(c));
    }

private:
    void Return(std::unique_ptr<Connection> c) {
        {
            std::lock_guard lock(mutex_);
            free_.push_back(std::move(c));
        }
        available_.notify_one();
    }

    std::mutex mutex_;
    std::condition_variable available_;
    std::vector<std::unique_ptr<Connection>> free_;
};

}  // namespace amapiano::store
