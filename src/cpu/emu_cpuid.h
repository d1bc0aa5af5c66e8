// The CPUID table of what the EmuEngine implements: the "supported" input
// of shape_cpuid (cpuid/cpu_model.h) for the software engine, as
// KVM_GET_SUPPORTED_CPUID is for KvmEngine.
#pragma once

#include "cpuid/cpu_model.h"

#include <vector>

namespace nv {

std::vector<CpuidEntry> emu_supported_cpuid();

}  // namespace nv
