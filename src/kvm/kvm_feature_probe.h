// Checks, on a real vCPU before the guest runs, that the host's KVM keeps
// what its KVM_GET_SUPPORTED_CPUID promises, and withdraws the CPUID
// features it does not (QEMU instead aborts at start on such hosts).
#pragma once

#include "cpuid/cpu_model.h"

#include <vector>

namespace nv {

class KvmVcpu;

// Whether the host's KVM completes VMCALL/VMMCALL hypercalls. The
// paravirtual kvm_pvm module (no VMX/SVM underneath) leaves a guest spinning
// on the instruction inside KVM_RUN: kvm-unit-tests' vmexit_vmcall hangs
// there under QEMU and nestvisor alike, RIP on the VMMCALL and RAX unchanged.
bool host_completes_hypercalls();

// Returns true when `cpuid` was changed; the caller then sets it again.
bool withdraw_features_the_host_drops(KvmVcpu& vcpu, std::vector<CpuidEntry>& cpuid);

}  // namespace nv
