#include "kvm/kvm_fd.h"

#include "util/error.h"

#include <sys/ioctl.h>

#include <cerrno>
#include <cstring>

namespace nv {

int KvmFd::ioctl_raw(unsigned long request, unsigned long arg) const {
  int r;
  do {
    r = ::ioctl(fd_, request, arg);
  } while (r < 0 && errno == EINTR);
  return r < 0 ? -errno : r;
}

int KvmFd::ioctl_or_fail(unsigned long request, std::string_view what, unsigned long arg) const {
  int r = ioctl_raw(request, arg);
  if (r < 0) fail("KVM: {} failed: {}", what, std::strerror(-r));
  return r;
}

}  // namespace nv
