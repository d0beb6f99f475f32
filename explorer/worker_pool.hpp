// The search's threads, started once per run: run(job) runs job(t) on every worker t
// (worker 0 is the caller's thread) and returns when all are done. A search runs a job per
// round and two per level's commit; starting threads for each cost more than a small
// level's work.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <exception>
#include <functional>
#include <mutex>
#include <thread>
#include <utility>
#include <vector>

namespace hugecheck::explorer {

class WorkerPool {
  public:
    using Job = std::function<void(unsigned)>;

    explicit WorkerPool(unsigned threads) : errors_(threads) {
        for (unsigned t = 1; t < threads; ++t)
            threads_.emplace_back([this, t] { serve(t); });
    }
    ~WorkerPool() {
        {
            std::lock_guard<std::mutex> lock(mutex_);
            quit_ = true;
        }
        start_.notify_all();
        threads_.clear();  // joins
    }
    WorkerPool(const WorkerPool&) = delete;
    WorkerPool& operator=(const WorkerPool&) = delete;

    unsigned threads() const { return static_cast<unsigned>(errors_.size()); }

    // Runs job(t) for every worker; rethrows the first exception any of them threw.
    void run(const Job& job) {
        {
            std::lock_guard<std::mutex> lock(mutex_);
            job_ = &job;
            running_ = static_cast<unsigned>(threads_.size());
            ++generation_;
        }
        start_.notify_all();
        call(0, job);
        {
            std::unique_lock<std::mutex> lock(mutex_);
            done_.wait(lock, [&] { return running_ == 0; });
            job_ = nullptr;
        }
        for (std::exception_ptr& e : errors_)
            if (e) std::rethrow_exception(std::exchange(e, nullptr));
    }

  private:
    void call(unsigned t, const Job& job) {
        try {
            job(t);
        } catch (...) {
            errors_[t] = std::current_exception();
        }
    }

    void serve(unsigned t) {
        std::uint64_t seen = 0;
        for (;;) {
            const Job* job = nullptr;
            {
                std::unique_lock<std::mutex> lock(mutex_);
                start_.wait(lock, [&] { return quit_ || generation_ != seen; });
                if (quit_) return;
                seen = generation_;
                job = job_;
            }
            call(t, *job);
            {
                std::lock_guard<std::mutex> lock(mutex_);
                if (--running_ == 0) done_.notify_one();
            }
        }
    }

    std::mutex mutex_;
    std::condition_variable start_, done_;
    const Job* job_ = nullptr;
    std::uint64_t generation_ = 0;
    unsigned running_ = 0;
    bool quit_ = false;
    std::vector<std::exception_ptr> errors_;  // one per worker
    std::vector<std::jthread> threads_;       // last: joined first on destruction
};

}  // namespace hugecheck::explorer
