// Thin RAII and error-reporting layer over the KVM ioctl ABI
// (Documentation/virt/kvm/api.rst).
#pragma once

#include <unistd.h>

#include <cstdint>
#include <string_view>
#include <utility>

namespace nv {

class KvmFd {
 public:
  KvmFd() = default;
  explicit KvmFd(int fd) : fd_(fd) {}
  ~KvmFd() { reset(); }
  KvmFd(KvmFd&& o) noexcept : fd_(std::exchange(o.fd_, -1)) {}
  KvmFd& operator=(KvmFd&& o) noexcept {
    if (this != &o) {
      reset();
      fd_ = std::exchange(o.fd_, -1);
    }
    return *this;
  }
  KvmFd(const KvmFd&) = delete;
  KvmFd& operator=(const KvmFd&) = delete;

  int get() const { return fd_; }
  explicit operator bool() const { return fd_ >= 0; }
  void reset() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

  // ioctl that throws nv::Error("<what>: <strerror>") on failure and returns
  // the ioctl's non-negative result otherwise.
  int ioctl_or_fail(unsigned long request, std::string_view what, unsigned long arg = 0) const;
  int ioctl_or_fail(unsigned long request, std::string_view what, const void* arg) const {
    return ioctl_or_fail(request, what, reinterpret_cast<unsigned long>(arg));
  }
  // Plain ioctl returning -errno on failure.
  int ioctl_raw(unsigned long request, unsigned long arg = 0) const;
  int ioctl_raw(unsigned long request, const void* arg) const {
    return ioctl_raw(request, reinterpret_cast<unsigned long>(arg));
  }

 private:
  int fd_ = -1;
};

}  // namespace nv
