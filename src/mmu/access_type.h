// The kind of a memory access and the privilege it is checked with (§4.6).
#pragma once

#include <cstdint>

namespace nv {

enum class AccessKind : uint8_t { read = 0, write = 1, execute = 2 };

// §4.6: an access is user-mode when CPL = 3 and it is not an implicit
// supervisor-mode access. Supervisor-mode data accesses split in two for
// SMAP (§4.6.1): explicit ones with EFLAGS.AC = 1 may touch user pages;
// implicit ones (GDT, LDT, IDT, TSS) and explicit ones with AC = 0 may not.
enum class Privilege : uint8_t { user = 0, supervisor = 1, supervisor_ac = 2 };

struct AccessType {
  AccessKind kind = AccessKind::read;
  Privilege privilege = Privilege::supervisor;

  static constexpr AccessType explicit_access(AccessKind kind, unsigned cpl, bool eflags_ac) {
    if (cpl == 3) return {kind, Privilege::user};
    // AC has no meaning for instruction fetches.
    return {kind, eflags_ac && kind != AccessKind::execute ? Privilege::supervisor_ac : Privilege::supervisor};
  }
  // Descriptor-table and TSS accesses, also made on behalf of CPL 3 code.
  static constexpr AccessType implicit_supervisor(AccessKind kind) { return {kind, Privilege::supervisor}; }

  // Dense index 0..8 for the per-class permission masks.
  constexpr unsigned index() const { return static_cast<unsigned>(kind) * 3 + static_cast<unsigned>(privilege); }
  constexpr bool is_write() const { return kind == AccessKind::write; }
  constexpr bool is_fetch() const { return kind == AccessKind::execute; }
  constexpr bool is_user() const { return privilege == Privilege::user; }
};

inline constexpr unsigned kAccessClasses = 9;

}  // namespace nv
