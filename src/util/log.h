// Diagnostics for users and guests: one line each, on stderr, prefixed with
// "nestvisor:" so they never mix with the guest's serial output on stdout.
#pragma once

#include <fmt/format.h>

#include <cstdint>
#include <string>
#include <string_view>

namespace nv {

enum class LogLevel { debug, info, warn, error };

void set_log_level(LogLevel level);
LogLevel log_level();
void log_line(LogLevel level, std::string_view text);

template <typename... Args>
void log_debug(fmt::format_string<Args...> f, Args&&... args) {
  if (log_level() <= LogLevel::debug) log_line(LogLevel::debug, fmt::format(f, std::forward<Args>(args)...));
}
template <typename... Args>
void log_info(fmt::format_string<Args...> f, Args&&... args) {
  if (log_level() <= LogLevel::info) log_line(LogLevel::info, fmt::format(f, std::forward<Args>(args)...));
}
template <typename... Args>
void log_warn(fmt::format_string<Args...> f, Args&&... args) {
  log_line(LogLevel::warn, fmt::format(f, std::forward<Args>(args)...));
}
template <typename... Args>
void log_error(fmt::format_string<Args...> f, Args&&... args) {
  log_line(LogLevel::error, fmt::format(f, std::forward<Args>(args)...));
}

// Returns true the first time a (kind, address) pair is seen, so that guest
// misbehaviour is reported once per address instead of flooding the log.
bool first_occurrence(std::string_view kind, uint64_t address);

// Warns once per (kind, address) pair.
template <typename... Args>
void log_warn_once(std::string_view kind, uint64_t address, fmt::format_string<Args...> f, Args&&... args) {
  if (first_occurrence(kind, address)) log_warn(f, std::forward<Args>(args)...);
}

}  // namespace nv
