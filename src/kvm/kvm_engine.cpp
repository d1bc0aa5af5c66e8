#include "kvm/kvm_engine.h"

#include "kvm/kvm_abi.h"
#include "kvm/kvm_feature_probe.h"

#include "util/error.h"
#include "util/log.h"
#include "vmm/machine.h"

#include <fcntl.h>
#include <linux/kvm.h>
#include <sys/ioctl.h>

#include <cerrno>
#include <csignal>
#include <cstring>
#include <thread>

namespace nv {

namespace {

// Addresses KVM needs for Intel's real-mode support pages; they sit in the
// reserved area below the IOAPIC, as in QEMU.
constexpr uint64_t kTssAddress = 0xfeffd000;
constexpr uint64_t kIdentityMapAddress = 0xfeffc000;


void install_kick_handler() {
  // SIGUSR1 only has to interrupt KVM_RUN; no SA_RESTART so it returns EINTR.
  static const bool installed = [] {
    struct sigaction sa {};
    sa.sa_handler = [](int) {};
    sigemptyset(&sa.sa_mask);
    sigaction(SIGUSR1, &sa, nullptr);
    return true;
  }();
  (void)installed;
}

KvmFd open_kvm() {
  int fd = ::open("/dev/kvm", O_RDWR | O_CLOEXEC);
  if (fd < 0)
    fail("cannot open /dev/kvm: {} (is KVM enabled and accessible? the software engine is -machine accel=tcg)",
         std::strerror(errno));
  KvmFd kvm(fd);
  int version = kvm.ioctl_or_fail(KVM_GET_API_VERSION, "reading the API version");
  if (version != KVM_API_VERSION) fail("KVM API version {} is not the supported {}", version, KVM_API_VERSION);
  return kvm;
}

}  // namespace

std::vector<CpuidEntry> KvmEngine::supported_cpuid(const KvmFd& kvm) {
  for (uint32_t nent = 64;; nent *= 2) {
    kvm_abi::Array<kvm_cpuid_entry2> cpuid(nent);
    cpuid.set_count(nent);
    int r = kvm.ioctl_raw(kvm_abi::kGetSupportedCpuid, cpuid.data());
    if (r == -E2BIG && nent < 4096) continue;
    if (r < 0) fail("KVM: KVM_GET_SUPPORTED_CPUID failed: {}", std::strerror(-r));
    std::vector<CpuidEntry> out;
    out.reserve(cpuid.count());
    for (uint32_t i = 0; i < cpuid.count(); ++i) {
      const kvm_cpuid_entry2& e = cpuid.entries()[i];
      out.push_back(CpuidEntry{e.function, e.index, e.flags, e.eax, e.ebx, e.ecx, e.edx});
    }
    return out;
  }
}

KvmEngine::KvmEngine(Machine& machine) : machine_(machine), kvm_(open_kvm()) {
  install_kick_handler();
  vm_ = KvmFd(kvm_.ioctl_or_fail(KVM_CREATE_VM, "creating the VM", 0ul));
  // Intel needs these before the first vCPU runs in real mode; harmless elsewhere.
  vm_.ioctl_raw(KVM_SET_TSS_ADDR, kTssAddress);
  uint64_t identity = kIdentityMapAddress;
  vm_.ioctl_raw(KVM_SET_IDENTITY_MAP_ADDR, &identity);
  map_memory();
  create_irqchip();
  create_vcpus();
}

KvmEngine::~KvmEngine() { machine_.irq().detach(); }

void KvmEngine::create_irqchip() {
  vm_.ioctl_or_fail(KVM_CREATE_IRQCHIP, "creating the in-kernel irqchip");

  // GSI routing as on a PC with an IOAPIC: ISA IRQs 0-15 reach both PICs
  // and the IOAPIC, with IRQ0 on IOAPIC pin 2 to match the MADT's interrupt
  // source override (ACPI 6.5 §5.2.12.5); GSI 2 is the PIC cascade.
  kvm_abi::Array<kvm_irq_routing_entry> routing(64);
  auto add = [&](uint32_t gsi, uint32_t chip, uint32_t pin) {
    kvm_irq_routing_entry& e = routing.push();
    e.gsi = gsi;
    e.type = KVM_IRQ_ROUTING_IRQCHIP;
    e.u.irqchip.irqchip = chip;
    e.u.irqchip.pin = pin;
  };
  for (uint32_t i = 0; i < 8; ++i)
    if (i != 2) add(i, KVM_IRQCHIP_PIC_MASTER, i);
  for (uint32_t i = 8; i < 16; ++i) add(i, KVM_IRQCHIP_PIC_SLAVE, i - 8);
  for (uint32_t i = 0; i < 24; ++i) {
    if (i == 0)
      add(0, KVM_IRQCHIP_IOAPIC, 2);
    else if (i != 2)
      add(i, KVM_IRQCHIP_IOAPIC, i);
  }
  vm_.ioctl_or_fail(kvm_abi::kSetGsiRouting, "setting the interrupt routing", routing.data());

  if (machine_.config().in_kernel_pit) {
    // The dummy speaker port keeps port 0x61 in the kernel too.
    kvm_pit_config pit{};
    pit.flags = KVM_PIT_SPEAKER_DUMMY;
    vm_.ioctl_or_fail(KVM_CREATE_PIT2, "creating the in-kernel PIT", &pit);
  }
  machine_.irq().attach(this);
}

void KvmEngine::map_memory() {
  const GuestMemory& mem = machine_.memory();
  uint32_t slot = 0;
  for (const RamSlot& s : mem.slots()) {
    kvm_userspace_memory_region region{};
    region.slot = slot++;
    region.guest_phys_addr = s.gpa;
    region.memory_size = s.size;
    region.userspace_addr = reinterpret_cast<uint64_t>(mem.host_base() + s.host_offset);
    vm_.ioctl_or_fail(KVM_SET_USER_MEMORY_REGION,
                      fmt::format("mapping guest RAM {:#x}+{:#x}", s.gpa, s.size), &region);
  }
}

void KvmEngine::create_vcpus() {
  const MachineConfig& cfg = machine_.config();
  int max_vcpus = kvm_.ioctl_raw(KVM_CHECK_EXTENSION, KVM_CAP_MAX_VCPUS);
  if (max_vcpus > 0 && cfg.vcpus > static_cast<unsigned>(max_vcpus))
    fail("-smp {} exceeds the {} vCPUs this host's KVM supports", cfg.vcpus, max_vcpus);

  int run_size = kvm_.ioctl_or_fail(KVM_GET_VCPU_MMAP_SIZE, "reading the kvm_run size");
  std::vector<std::string> warnings;
  std::vector<CpuidEntry> cpuid = shape_cpuid(supported_cpuid(kvm_), cfg.cpu, &warnings);
  for (const std::string& w : warnings) log_warn("{}", w);

  for (unsigned i = 0; i < cfg.vcpus; ++i) {
    auto vcpu = std::make_unique<KvmVcpu>(vm_, i, static_cast<size_t>(run_size), machine_);
    std::vector<CpuidEntry> own = cpuid;
    set_apic_id(own, i);
    vcpu->set_cpuid(own);
    // The BSP checks the table against the host before anyone runs; the
    // other vCPUs then get the corrected table.
    if (i == 0 && withdraw_features_the_host_drops(*vcpu, cpuid)) {
      own = cpuid;
      set_apic_id(own, i);
      vcpu->set_cpuid(own);
    }
    vcpus_.push_back(std::move(vcpu));
  }
  // The BSP enters the kernel; APs stay in wait-for-SIPI in the kernel.
  vcpus_.front()->set_multiboot_state(machine_.boot_info());
}

void KvmEngine::set_irq(unsigned gsi, bool level) {
  kvm_irq_level irq{};
  irq.irq = gsi;
  irq.level = level ? 1 : 0;
  int r = vm_.ioctl_raw(KVM_IRQ_LINE, &irq);
  if (r < 0) log_warn_once("irq-line", gsi, "KVM_IRQ_LINE for GSI {} failed: {}", gsi, std::strerror(-r));
}

void KvmEngine::kick_all() {
  for (auto& v : vcpus_) v->kick();
}

void KvmEngine::run() {
  MachineControl& control = machine_.control();
  control.set_kick([this] { kick_all(); });
  {
    std::vector<std::jthread> threads;
    threads.reserve(vcpus_.size());
    for (auto& v : vcpus_) {
      KvmVcpu* vcpu = v.get();
      threads.emplace_back([vcpu] { vcpu->run_loop(); });
    }
  }  // jthreads join here, after every vCPU has left its loop
  control.set_kick(nullptr);
}

}  // namespace nv
