#include "util/log.h"

#include <atomic>
#include <cstdio>
#include <mutex>
#include <set>
#include <utility>

namespace nv {

namespace {
std::atomic<LogLevel> g_level{LogLevel::warn};
std::mutex g_once_mutex;
std::set<std::pair<std::string, uint64_t>, std::less<>> g_seen;
}  // namespace

void set_log_level(LogLevel level) { g_level = level; }
LogLevel log_level() { return g_level; }

void log_line(LogLevel level, std::string_view text) {
  static constexpr const char* kPrefix[] = {"debug: ", "", "warning: ", "error: "};
  // One fprintf per line keeps lines from different vCPU threads whole.
  std::fprintf(stderr, "nestvisor: %s%.*s\n", kPrefix[static_cast<int>(level)], static_cast<int>(text.size()),
               text.data());
}

bool first_occurrence(std::string_view kind, uint64_t address) {
  std::lock_guard lock(g_once_mutex);
  return g_seen.emplace(std::string(kind), address).second;
}

}  // namespace nv
