// Errors a user can cause (bad command line, bad kernel file, host limits).
// They are thrown as nv::Error, caught in main() and printed as one line.
#pragma once

#include <fmt/format.h>

#include <stdexcept>
#include <string>

namespace nv {

class Error : public std::runtime_error {
 public:
  explicit Error(const std::string& what) : std::runtime_error(what) {}
};

template <typename... Args>
[[noreturn]] void fail(fmt::format_string<Args...> f, Args&&... args) {
  throw Error(fmt::format(f, std::forward<Args>(args)...));
}

}  // namespace nv
