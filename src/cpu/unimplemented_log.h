// Instructions the EmuEngine does not implement yet: each raises #UD in the
// guest; the first occurrence of each distinct encoding is logged with its
// bytes and address, and executions are counted per mnemonic so the missing
// instructions can be worked down by frequency.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace nv {

class UnimplementedLog {
 public:
  static UnimplementedLog& instance();

  // Returns true when this encoding is new (the caller logs it).
  bool record(const std::string& mnemonic, const std::vector<uint8_t>& bytes);
  // (mnemonic, count), most frequent first.
  std::vector<std::pair<std::string, uint64_t>> by_frequency() const;
  uint64_t count(const std::string& mnemonic) const;
  // One line per mnemonic, most frequent first ("" when nothing was missing).
  std::string dump() const;
  void clear();

 private:
  mutable std::mutex mutex_;
  std::map<std::string, uint64_t> counts_;
  std::set<std::vector<uint8_t>> seen_;
};

}  // namespace nv
