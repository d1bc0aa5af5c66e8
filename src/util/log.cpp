#include "util/log.h"

#include <atomic>
#include <cstdio>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <utility>

namespace nv {

namespace {
std::atomic<LogLevel> g_level{LogLevel::warn};
std::mutex g_once_mutex;
// Per kind, the addresses reported; a guest that touches ever new addresses
// (a wild REP string over unassigned MMIO) must not grow this without bound.
struct Seen {
  std::set<uint64_t> addresses;
  bool full = false;
};
std::map<std::string, Seen, std::less<>> g_seen;
constexpr size_t kAddressesPerKind = 64;
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
  auto it = g_seen.find(kind);
  if (it == g_seen.end()) it = g_seen.emplace(std::string(kind), Seen{}).first;
  Seen& seen = it->second;
  if (seen.full || seen.addresses.contains(address)) return false;
  if (seen.addresses.size() == kAddressesPerKind) {
    seen.full = true;
    log_line(LogLevel::warn, fmt::format("further '{}' messages suppressed after {} distinct addresses", kind,
                                         kAddressesPerKind));
    return false;
  }
  seen.addresses.insert(address);
  return true;
}

}  // namespace nv
