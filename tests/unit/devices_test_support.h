// Helpers shared by the device model tests.
#pragma once

#include "vmm/irq_router.h"

#include <mutex>
#include <utility>
#include <vector>

namespace nv::test {

// Records every interrupt line change a device makes, in order.
class RecordingSink : public InterruptSink {
 public:
  void set_irq(unsigned gsi, bool level) override {
    std::lock_guard lock(mutex_);
    events_.emplace_back(gsi, level);
  }
  std::vector<std::pair<unsigned, bool>> take() {
    std::lock_guard lock(mutex_);
    return std::exchange(events_, {});
  }

 private:
  std::mutex mutex_;
  std::vector<std::pair<unsigned, bool>> events_;
};

}  // namespace nv::test
