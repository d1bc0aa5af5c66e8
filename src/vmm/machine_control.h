// How devices and engines end or reset the machine. The first request wins;
// the engine polls stop_requested() and is told through the kick callback
// to interrupt vCPUs that are inside the guest.
#pragma once

#include <atomic>
#include <functional>
#include <mutex>

namespace nv {

class MachineControl {
 public:
  enum class Stop { none, exit, reset, terminated };

  // Ends the VMM with `status` (isa-debug-exit, shutdown with --no-reboot).
  void request_exit(int status) { request(Stop::exit, status); }
  // Ends the VMM because the process got termination signal `signal`
  // (status 128 + signal); engines then log where each vCPU was, which is
  // what a user debugging a hung guest killed by a timeout needs.
  void request_termination(int signal) { request(Stop::terminated, 128 + signal); }
  // Resets the machine; with --no-reboot the owner turns this into an exit.
  void request_reset() { request(Stop::reset, 0); }

  bool stop_requested() const { return stop_.load(std::memory_order_acquire) != Stop::none; }
  Stop stop_kind() const { return stop_.load(std::memory_order_acquire); }
  int exit_status() const { return status_; }

  void set_kick(std::function<void()> kick) {
    std::lock_guard lock(mutex_);
    kick_ = std::move(kick);
  }
  // Clears a reset request once the machine has been reset.
  void clear() { stop_.store(Stop::none, std::memory_order_release); }

 private:
  void request(Stop kind, int status) {
    std::function<void()> kick;
    {
      std::lock_guard lock(mutex_);
      if (stop_.load() != Stop::none) return;
      status_ = status;
      stop_.store(kind, std::memory_order_release);
      kick = kick_;
    }
    if (kick) kick();
  }

  std::atomic<Stop> stop_{Stop::none};
  int status_ = 0;
  std::mutex mutex_;
  std::function<void()> kick_;
};

}  // namespace nv
