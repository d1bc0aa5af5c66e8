// Variable-length KVM ioctl arguments, laid out as the kernel's C ABI has
// them. linux/kvm.h declares them with zero-length trailing arrays
// (`entries[0]`), which G++ 12 places past padding (kvm_cpuid2::entries at
// offset 12 instead of 8) and sizes differently; since _IOW/_IOWR encode the
// struct size, both the layout and the ioctl numbers come out wrong in C++.
// Everything here is spelled with the C sizes instead.
#pragma once

#include <linux/kvm.h>
#include <sys/ioctl.h>

#include <cstdint>
#include <cstring>
#include <stdexcept>
#include <vector>

namespace nv::kvm_abi {

// The fixed part of kvm_cpuid2, kvm_msrs and kvm_irq_routing: a count and a
// pad/flags word, followed at offset 8 by the entries.
inline constexpr unsigned kHeaderBytes = 8;

inline constexpr unsigned long kGetSupportedCpuid = _IOC(_IOC_READ | _IOC_WRITE, KVMIO, 0x05, kHeaderBytes);
inline constexpr unsigned long kSetCpuid2 = _IOC(_IOC_WRITE, KVMIO, 0x90, kHeaderBytes);
inline constexpr unsigned long kGetMsrs = _IOC(_IOC_READ | _IOC_WRITE, KVMIO, 0x88, kHeaderBytes);
inline constexpr unsigned long kSetMsrs = _IOC(_IOC_WRITE, KVMIO, 0x89, kHeaderBytes);
inline constexpr unsigned long kSetGsiRouting = _IOC(_IOC_WRITE, KVMIO, 0x6a, kHeaderBytes);
// struct kvm_msr_list is one u32 count followed by u32 indices.
inline constexpr unsigned long kGetMsrIndexList = _IOC(_IOC_READ | _IOC_WRITE, KVMIO, 0x02, 4);

// A count word, a pad/flags word and `capacity` entries, 8-byte aligned.
template <typename Entry>
class Array {
 public:
  explicit Array(uint32_t capacity)
      : storage_((kHeaderBytes + capacity * sizeof(Entry) + 7) / 8, 0), capacity_(capacity) {}

  uint32_t capacity() const { return capacity_; }
  uint32_t count() const { return header()[0]; }
  void set_count(uint32_t n) { header()[0] = n; }
  Entry* entries() { return reinterpret_cast<Entry*>(reinterpret_cast<uint8_t*>(storage_.data()) + kHeaderBytes); }
  const Entry* entries() const {
    return reinterpret_cast<const Entry*>(reinterpret_cast<const uint8_t*>(storage_.data()) + kHeaderBytes);
  }
  // Appends one entry; the caller sized the array.
  Entry& push() {
    if (count() >= capacity_) throw std::length_error("kvm_abi::Array overflow");
    Entry& e = entries()[count()];
    std::memset(&e, 0, sizeof(Entry));
    set_count(count() + 1);
    return e;
  }
  void* data() { return storage_.data(); }

 private:
  uint32_t* header() { return reinterpret_cast<uint32_t*>(storage_.data()); }
  const uint32_t* header() const { return reinterpret_cast<const uint32_t*>(storage_.data()); }

  std::vector<uint64_t> storage_;
  uint32_t capacity_;
};

}  // namespace nv::kvm_abi
