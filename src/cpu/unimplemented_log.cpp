#include "cpu/unimplemented_log.h"

#include <fmt/format.h>

#include <algorithm>

namespace nv {

UnimplementedLog& UnimplementedLog::instance() {
  static UnimplementedLog log;
  return log;
}

bool UnimplementedLog::record(const std::string& mnemonic, const std::vector<uint8_t>& bytes) {
  std::lock_guard lock(mutex_);
  ++counts_[mnemonic];
  return seen_.insert(bytes).second;
}

std::vector<std::pair<std::string, uint64_t>> UnimplementedLog::by_frequency() const {
  std::lock_guard lock(mutex_);
  std::vector<std::pair<std::string, uint64_t>> v(counts_.begin(), counts_.end());
  std::stable_sort(v.begin(), v.end(), [](const auto& a, const auto& b) { return a.second > b.second; });
  return v;
}

uint64_t UnimplementedLog::count(const std::string& mnemonic) const {
  std::lock_guard lock(mutex_);
  auto it = counts_.find(mnemonic);
  return it == counts_.end() ? 0 : it->second;
}

std::string UnimplementedLog::dump() const {
  std::string out;
  for (const auto& [m, c] : by_frequency()) out += fmt::format("{:>10} {}\n", c, m);
  return out;
}

void UnimplementedLog::clear() {
  std::lock_guard lock(mutex_);
  counts_.clear();
  seen_.clear();
}

}  // namespace nv
