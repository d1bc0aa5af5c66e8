// The fault a hardware task switch reports after its commit point while an
// exception or external interrupt is delivered through an IDT task gate.
#pragma once

#include "cpu/cpu.h"

namespace nv {

// SDM Vol. 3A §8.3 step 13: once TR holds the new task, a fault (segment
// checks, the error-code push) is taken in the new task's context. Cpu::deliver
// lets it through without restoring the interrupted state; raise_event then
// picks the next event from it (Table 6-5) as for any fault during delivery.
struct TaskSwitchFault : GuestFault {};

}  // namespace nv
