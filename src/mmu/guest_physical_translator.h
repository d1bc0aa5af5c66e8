// The seam for nested paging: a context whose guest-physical addresses are
// not GuestMemory addresses (L2 under EPT) gets a translator that maps them.
// The walker calls it for every paging-structure entry and for the final
// address; without one (nullptr) guest-physical addresses are used as they are.
#pragma once

#include <cstdint>

#include "mmu/access_type.h"

namespace nv {

class GuestPhysicalTranslator {
 public:
  virtual ~GuestPhysicalTranslator() = default;

  // Maps `gpa` (an L2 guest-physical address) to an L1 guest-physical
  // address in `out`. `paging_structure` says the walker is reading a guest
  // paging-structure entry rather than making the final access. Returns false
  // when the access cannot go on (an EPT violation or misconfiguration); the
  // implementation keeps what the CPU needs to deliver that VM exit.
  virtual bool translate(uint64_t gpa, AccessKind kind, bool paging_structure, uint64_t& out) = 0;
};

}  // namespace nv
