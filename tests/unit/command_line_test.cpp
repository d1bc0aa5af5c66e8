#include "cli/command_line.h"

#include "vmm/memory_layout.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <functional>
#include <sstream>
#include <string>
#include <vector>

namespace nv {
namespace {

using ::testing::HasSubstr;
using Args = std::vector<std::string>;

// Splits a command line at spaces; a single-quoted part keeps its spaces.
Args split(const std::string& line) {
  Args args;
  std::string cur;
  bool quoted = false, any = false;
  for (char c : line) {
    if (c == '\'') {
      quoted = !quoted;
      any = true;
    } else if (c == ' ' && !quoted) {
      if (any) args.push_back(cur);
      cur.clear();
      any = false;
    } else {
      cur.push_back(c);
      any = true;
    }
  }
  if (any) args.push_back(cur);
  return args;
}

CommandLine parse(const std::string& line) { return parse_command_line(split(line)); }

// The command kvm-unit-tests' x86/run builds (pc-testdev available, ACCEL=kvm),
// followed as in scripts/runtime.bash by the kernel, -smp, -append, the test's
// qemu_params and run_test's -initrd.
const std::string kKvmUnitTestsCommand =
    "--no-reboot -nodefaults -global kvm-pit.lost_tick_policy=discard -device pc-testdev "
    "-device isa-debug-exit,iobase=0xf4,iosize=0x4 -display none -serial stdio -device pci-testdev "
    "-machine accel=kvm -kernel x86/vmexit.flat -smp 2 -append 'cpuid  ipi' -cpu qemu64,+x2apic,+tsc-deadline "
    "-initrd /tmp/tmp.env";

TEST(CommandLine, KvmUnitTestsRunCommand) {
  CommandLine cl = parse(kKvmUnitTestsCommand);
  const MachineConfig& c = cl.config;
  EXPECT_EQ(cl.action, CommandLine::Action::run);
  EXPECT_TRUE(c.no_reboot);
  EXPECT_TRUE(c.pc_testdev);
  EXPECT_TRUE(c.pci_testdev);
  ASSERT_TRUE(c.debug_exit.has_value());
  EXPECT_EQ(c.debug_exit->iobase, 0xf4);
  EXPECT_EQ(c.debug_exit->iosize, 4);
  EXPECT_EQ(c.serial.mode, SerialMode::stdio);
  EXPECT_EQ(c.engine, EngineKind::kvm);
  EXPECT_EQ(c.kernel, "x86/vmexit.flat");
  EXPECT_EQ(c.append, "cpuid  ipi");
  EXPECT_EQ(c.initrd, "/tmp/tmp.env");
  EXPECT_EQ(c.vcpus, 2u);
  EXPECT_EQ(c.ram_bytes, 128 * layout::kMiB);
  EXPECT_EQ(c.cpu.model, "qemu64");
  ASSERT_EQ(c.cpu.flags.size(), 2u);
  EXPECT_EQ(c.cpu.flags[0].name, "x2apic");
  EXPECT_TRUE(c.cpu.flags[0].enable);
  EXPECT_EQ(c.cpu.flags[1].name, "tsc-deadline");
  ASSERT_EQ(cl.warnings.size(), 1u) << "one line for the -global";
  EXPECT_THAT(cl.warnings[0], HasSubstr("kvm-pit.lost_tick_policy=discard"));
}

TEST(CommandLine, PrematureFailureProbeParses) {
  // scripts/runtime.bash runs the same command with a kernel that does not
  // exist; parsing must succeed so the loader reports the missing file.
  CommandLine cl = parse("-machine accel=kvm -kernel _NO_FILE_4Uhere_ -smp 1 -cpu max,+vmx,-pku -m 2048");
  EXPECT_EQ(cl.config.kernel, "_NO_FILE_4Uhere_");
  EXPECT_EQ(cl.config.ram_bytes, 2048 * layout::kMiB);
}

struct GoodCase {
  std::string args;
  std::function<void(const CommandLine&)> check;
};

TEST(CommandLine, AcceptedOptions) {
  const uint64_t MiB = layout::kMiB, GiB = layout::kGiB;
  const GoodCase cases[] = {
      {"-m 2048", [&](auto& cl) { EXPECT_EQ(cl.config.ram_bytes, 2048 * MiB); }},
      {"-m 4g", [&](auto& cl) { EXPECT_EQ(cl.config.ram_bytes, 4 * GiB); }},
      {"-m 2560M", [&](auto& cl) { EXPECT_EQ(cl.config.ram_bytes, 2560 * MiB); }},
      {"-m size=1G", [&](auto& cl) { EXPECT_EQ(cl.config.ram_bytes, GiB); }},
      {"-m 1.5G", [&](auto& cl) { EXPECT_EQ(cl.config.ram_bytes, 1536 * MiB); }},
      {"-m 10k", [&](auto& cl) { EXPECT_EQ(cl.config.ram_bytes, 12 * 1024u); }},  // page-rounded
      {"-smp 4", [](auto& cl) { EXPECT_EQ(cl.config.vcpus, 4u); }},
      {"-smp cpus=3", [](auto& cl) { EXPECT_EQ(cl.config.vcpus, 3u); }},
      {"-smp 255", [](auto& cl) { EXPECT_EQ(cl.config.vcpus, 255u); }},
      {"-smp sockets=2,cores=2",
       [](auto& cl) {
         EXPECT_EQ(cl.config.vcpus, 4u);
         EXPECT_EQ(cl.warnings.size(), 1u);
       }},
      {"-smp 2,maxcpus=4",
       [](auto& cl) {
         EXPECT_EQ(cl.config.vcpus, 2u);
         ASSERT_EQ(cl.warnings.size(), 1u);
         EXPECT_THAT(cl.warnings[0], HasSubstr("hotplug"));
       }},
      {"-machine accel=tcg", [](auto& cl) { EXPECT_EQ(cl.config.engine, EngineKind::emu); }},
      {"-machine accel=kvm:tcg", [](auto& cl) { EXPECT_EQ(cl.config.engine, EngineKind::kvm); }},
      {"-M pc,accel=tcg,pit=off",
       [](auto& cl) {
         EXPECT_EQ(cl.config.engine, EngineKind::emu);
         EXPECT_FALSE(cl.config.in_kernel_pit);
       }},
      {"-machine type=pc,kernel-irqchip=on,vmport=off", [](auto& cl) { EXPECT_TRUE(cl.config.in_kernel_pit); }},
      {"-accel tcg", [](auto& cl) { EXPECT_EQ(cl.config.engine, EngineKind::emu); }},
      {"-accel tcg -enable-kvm", [](auto& cl) { EXPECT_EQ(cl.config.engine, EngineKind::kvm); }},
      {"--engine emu", [](auto& cl) { EXPECT_EQ(cl.config.engine, EngineKind::emu); }},
      {"-accel kvm,kernel-irqchip=on --engine kvm", [](auto& cl) { EXPECT_EQ(cl.config.engine, EngineKind::kvm); }},
      {"--xstate-cache=off", [](auto& cl) { EXPECT_FALSE(cl.config.xstate_cache); }},
      {"--xstate-cache=off -xstate-cache on", [](auto& cl) { EXPECT_TRUE(cl.config.xstate_cache); }},
      {"-machine accel=tcg -icount 3",
       [](auto& cl) {
         ASSERT_TRUE(cl.config.icount);
         EXPECT_EQ(cl.config.icount->shift, 3u);
         EXPECT_TRUE(cl.config.icount->sleep) << "QEMU sleeps in real time by default";
       }},
      {"-icount shift=0,sleep=off -accel tcg",
       [](auto& cl) {
         ASSERT_TRUE(cl.config.icount) << "-accel after -icount still selects the software engine";
         EXPECT_EQ(cl.config.icount->shift, 0u);
         EXPECT_FALSE(cl.config.icount->sleep);
       }},
      {"--engine emu --icount=10,sleep=on", [](auto& cl) { EXPECT_EQ(cl.config.icount->shift, 10u); }},
      {"--engine emu --ipi-fastpath=off", [](auto& cl) { EXPECT_FALSE(cl.config.ipi_fastpath); }},
      {"--engine emu -ipi-fastpath off --ipi-fastpath on", [](auto& cl) { EXPECT_TRUE(cl.config.ipi_fastpath); }},
      {"--ipi-fastpath=on",
       [](auto& cl) {
         EXPECT_EQ(cl.config.engine, EngineKind::kvm);
         EXPECT_TRUE(cl.config.ipi_fastpath) << "on is KVM's own behaviour: accepted";
       }},
      {"--engine=emu -m=256M",
       [&](auto& cl) {
         EXPECT_EQ(cl.config.engine, EngineKind::emu);
         EXPECT_EQ(cl.config.ram_bytes, 256 * MiB);
       }},
      {"-append a=b", [](auto& cl) { EXPECT_EQ(cl.config.append, "a=b") << "'=' splits only the option name"; }},
      {"-serial file:/tmp/a,,b.log",
       [](auto& cl) {
         EXPECT_EQ(cl.config.serial.mode, SerialMode::file);
         EXPECT_EQ(cl.config.serial.path, "/tmp/a,,b.log") << "the -serial value is taken whole";
       }},
      {"-serial none", [](auto& cl) { EXPECT_EQ(cl.config.serial.mode, SerialMode::none); }},
      {"-device isa-debug-exit",
       [](auto& cl) {
         ASSERT_TRUE(cl.config.debug_exit);
         EXPECT_EQ(cl.config.debug_exit->iobase, 0x501);
         EXPECT_EQ(cl.config.debug_exit->iosize, 2);
       }},
      {"-device isa-debug-exit,iosize=1,iobase=244",
       [](auto& cl) {
         EXPECT_EQ(cl.config.debug_exit->iobase, 244);
         EXPECT_EQ(cl.config.debug_exit->iosize, 1);
       }},
      {"-cpu max,+vmx,-pku",
       [](auto& cl) {
         EXPECT_EQ(cl.config.cpu.model, "max");
         ASSERT_EQ(cl.config.cpu.flags.size(), 2u);
         EXPECT_EQ(cl.config.cpu.flags[1].name, "pku");
         EXPECT_FALSE(cl.config.cpu.flags[1].enable);
         EXPECT_TRUE(cl.warnings.empty());
       }},
      {"-cpu qemu64,tsc_deadline=on,x2apic=off,sse4_1",
       [](auto& cl) {
         ASSERT_EQ(cl.config.cpu.flags.size(), 3u);
         EXPECT_TRUE(cl.config.cpu.flags[0].enable);
         EXPECT_FALSE(cl.config.cpu.flags[1].enable);
         EXPECT_EQ(cl.config.cpu.flags[2].name, "sse4_1");
         EXPECT_TRUE(cl.config.cpu.flags[2].enable) << "a bare feature name means on";
       }},
      {"-cpu max,host-phys-bits,+vmx,-vmx-mbec",
       [](auto& cl) {
         ASSERT_EQ(cl.config.cpu.flags.size(), 1u);
         EXPECT_EQ(cl.config.cpu.flags[0].name, "vmx");
         ASSERT_EQ(cl.config.cpu.properties.size(), 1u);
         EXPECT_EQ(cl.config.cpu.properties[0].key, "host-phys-bits");
         EXPECT_EQ(cl.config.cpu.properties[0].value, "on") << "a bare property means on";
         ASSERT_EQ(cl.warnings.size(), 1u);
         EXPECT_THAT(cl.warnings[0], HasSubstr("vmx-mbec"));
       }},
      {"-cpu qemu64,phys-bits=36,host_phys_bits=off,vendor=GenuineIntel,+x2apic",
       [](auto& cl) {
         const std::vector<CpuProperty>& p = cl.config.cpu.properties;
         ASSERT_EQ(p.size(), 3u);
         EXPECT_EQ(p[0].key, "phys-bits");
         EXPECT_EQ(p[0].value, "36");
         EXPECT_EQ(p[1].key, "host-phys-bits") << "QEMU's '_' spelling";
         EXPECT_EQ(p[1].value, "off");
         EXPECT_EQ(p[2].key, "vendor");
         EXPECT_EQ(p[2].value, "GenuineIntel");
         ASSERT_EQ(cl.config.cpu.flags.size(), 1u);
         EXPECT_TRUE(cl.warnings.empty());
       }},
      {"-cpu max,model-id=Test,,CPU,family=0x6,model=58,stepping=9,level=0xd,xlevel=0x80000008,pmu=off",
       [](auto& cl) {
         const std::vector<CpuProperty>& p = cl.config.cpu.properties;
         ASSERT_EQ(p.size(), 7u);
         EXPECT_EQ(p[0].key, "model-id");
         EXPECT_EQ(p[0].value, "Test,CPU") << "',,' is a literal comma";
         EXPECT_EQ(p[1].value, "0x6");
         EXPECT_EQ(p[4].key, "level");
         EXPECT_EQ(p[5].value, "0x80000008");
         EXPECT_EQ(p[6].key, "pmu");
         EXPECT_TRUE(cl.warnings.empty());
       }},
      {"-cpu max,l3-cache=on,enforce,host-phys-bits-limit=39",
       [](auto& cl) {
         EXPECT_TRUE(cl.config.cpu.properties.empty());
         ASSERT_EQ(cl.warnings.size(), 3u) << "properties nestvisor cannot honour still warn";
         EXPECT_EQ(cl.warnings[0], "-cpu property 'l3-cache=on' is not supported and is ignored");
       }},
      {"-cpu host,migratable=no",
       [](auto& cl) {
         EXPECT_EQ(cl.config.cpu.model, "host");
         EXPECT_TRUE(cl.warnings.empty());
       }},
      {"-no-reboot --nodefaults --display none", [](auto& cl) { EXPECT_TRUE(cl.config.no_reboot); }},
      {"-append '-pause_filter_test -svm_npt' -global a.b=1 -global a.b=1",
       [](auto& cl) {
         EXPECT_EQ(cl.config.append, "-pause_filter_test -svm_npt") << "values may start with a dash";
         EXPECT_EQ(cl.warnings.size(), 1u) << "a repeated warning is given once";
       }},
      {"-append '' -initrd env",
       [](auto& cl) {
         EXPECT_EQ(cl.config.append, "");
         EXPECT_EQ(cl.config.initrd, "env");
       }},
      {"",
       [](auto& cl) {
         EXPECT_EQ(cl.config.engine, EngineKind::kvm);
         EXPECT_EQ(cl.config.vcpus, 1u);
         EXPECT_EQ(cl.config.cpu.model, "qemu64");
         EXPECT_FALSE(cl.config.pc_testdev);
         EXPECT_FALSE(cl.config.debug_exit);
         EXPECT_TRUE(cl.config.xstate_cache) << "the CPUID.0xD table is on by default";
         EXPECT_FALSE(cl.config.icount) << "real time by default";
         EXPECT_TRUE(cl.config.ipi_fastpath);
         EXPECT_TRUE(cl.warnings.empty());
       }},
  };
  for (const GoodCase& c : cases) {
    SCOPED_TRACE(c.args);
    CommandLine cl = parse(c.args + " -kernel k.flat");
    EXPECT_EQ(cl.config.kernel, "k.flat");
    c.check(cl);
  }
}

TEST(CommandLine, KernelIsAcceptedWithEitherDashForm) {
  EXPECT_EQ(parse("--kernel a.flat").config.kernel, "a.flat");
  EXPECT_EQ(parse("-kernel a.flat -kernel b.flat").config.kernel, "b.flat") << "the last one wins, as in QEMU";
}

TEST(CommandLine, ActionsEndParsing) {
  EXPECT_EQ(parse("--help").action, CommandLine::Action::help);
  EXPECT_EQ(parse("-h").action, CommandLine::Action::help);
  EXPECT_EQ(parse("-help -bogus").action, CommandLine::Action::help);
  EXPECT_EQ(parse("--version").action, CommandLine::Action::version);
  EXPECT_EQ(parse("-version").action, CommandLine::Action::version);
  EXPECT_EQ(parse("-device help").action, CommandLine::Action::device_help);
  EXPECT_EQ(parse("-device ?").action, CommandLine::Action::device_help);
}

struct BadCase {
  std::string args;
  std::string message;
};

TEST(CommandLine, Errors) {
  const BadCase cases[] = {
      {"-kernel k -overcommit cpu-pm=on", "unsupported option '-overcommit'; supported: -kernel"},
      {"-kernel k -foo", "unsupported option '-foo'"},
      {"-kernel k x86/msr.flat", "unexpected argument 'x86/msr.flat'"},
      {"-kernel", "option '-kernel' needs an argument"},
      {"-smp 2", "no kernel given"},
      {"-kernel k -device edu", "unsupported device 'edu'; supported devices: isa-debug-exit, pc-testdev, pci-testdev"},
      {"-kernel k -device hyperv-testdev", "unsupported device 'hyperv-testdev'"},
      {"-kernel k -device pc-testdev,foo=1", "device 'pc-testdev' has no property 'foo'"},
      {"-kernel k -device isa-debug-exit,iobase=zz", "'zz' is not a number"},
      {"-kernel k -device isa-debug-exit,iobase=-1", "'-1' is not a number"},
      {"-kernel k -device isa-debug-exit,iobase=0x10000", "is not a 16-bit I/O port value"},
      {"-kernel k -device isa-debug-exit,iobase=0xffff,iosize=4", "not a valid I/O range"},
      {"-kernel k -device isa-debug-exit,iosize", "property 'iosize' needs a value"},
      {"-kernel k -device pc-testdev -device pc-testdev", "only one pc-testdev"},
      {"-kernel k -display gtk", "only 'none' is supported"},
      {"-kernel k -serial pty", "expected stdio, file:PATH or none"},
      {"-kernel k -serial stdio -serial stdio", "only one serial port"},
      {"-kernel k -machine q35", "machine type 'q35' is not supported; supported: pc"},
      {"-kernel k -M q35,kernel-irqchip=split", "machine type 'q35' is not supported"},
      {"-kernel k -machine accel=hvf", "supported accelerators are kvm and tcg"},
      {"-kernel k -accel xen", "supported accelerators are kvm and tcg"},
      {"-kernel k -accel kvm,thread=single", "-accel kvm,thread=single: unsupported property 'thread=single'"},
      {"-kernel k -machine foo=bar", "unsupported property 'foo'"},
      {"-kernel k -machine pit=maybe", "'maybe' is not on or off"},
      {"-kernel k -machine vmport=on -cpu max", "VMware I/O port is not supported"},
      {"-kernel k -machine kernel-irqchip=split", "only kernel-irqchip=on"},
      {"-kernel k -smp 0", "at least 1"},
      {"-kernel k -smp 300", "Invalid SMP CPUs 300. The max CPUs supported by machine 'pc' is 255"},
      {"-kernel k -smp 4,sockets=3", "must equal maxcpus (4)"},
      {"-kernel k -smp 4,maxcpus=2", "maxcpus must be equal to or greater"},
      {"-kernel k -smp 2,foo=1", "unsupported property 'foo'"},
      {"-kernel k -smp two", "'two' is not a number"},
      {"-kernel k -m 0", "not a memory size"},
      {"-kernel k -m lots", "not a memory size"},
      {"-kernel k -m 12X", "unknown size suffix 'X'"},
      {"-kernel k -m 1G,maxmem=4G", "memory hotplug (maxmem) is not supported"},
      {"-kernel k -m 99999999T", "memory size too large"},
      {"-kernel k -cpu Skylake-Server,host-phys-bits", "unsupported CPU model 'Skylake-Server'; supported: qemu64"},
      {"-kernel k -cpu max,+frob", "unknown CPU feature 'frob'"},
      {"-kernel k -cpu host,hv_passthrough", "Hyper-V enlightenments are not supported"},
      {"-kernel k -cpu max,x2apic=maybe", "'maybe' is not on or off"},
      {"-kernel k -cpu max,bogus=1", "unknown CPU feature or property 'bogus'"},
      {"-kernel k -cpu max,vendor=Intel", "-cpu vendor=Intel: the vendor must be exactly 12 ASCII characters"},
      {"-kernel k -cpu max,vendor", "-cpu vendor=on: the vendor must be exactly 12 ASCII characters"},
      {"-kernel k -cpu max,phys-bits=64", "-cpu phys-bits=64: must be between 32 and 52"},
      {"-kernel k -cpu max,phys-bits=lots", "-cpu phys-bits=lots: 'lots' is not a number"},
      {"-kernel k -cpu max,host-phys-bits=2", "-cpu host-phys-bits=2: '2' is not on or off"},
      {"-kernel k -cpu max,pmu=maybe", "-cpu pmu=maybe: 'maybe' is not on or off"},
      {"-kernel k -cpu max,level=0x40000001", "-cpu level=0x40000001: must be between 0x0 and 0x3fffffff"},
      {"-kernel k -cpu max,xlevel=0x1f", "-cpu xlevel=0x1f: must be between 0x80000000 and 0x8fffffff"},
      {"-kernel k -cpu max,family=271", "-cpu family=271: must be between 0 and 270"},
      {"-kernel k -cpu max,model=0x100", "-cpu model=0x100: must be between 0 and 255"},
      {"-kernel k -cpu max,stepping=16", "-cpu stepping=16: must be between 0 and 15"},
      {"-kernel k -cpu max,model-id=" + std::string(49, 'x'), "at most 48 ASCII characters (49 given)"},
      {"-kernel k -global foo", "expected DRIVER.PROPERTY=VALUE"},
      {"-kernel k --engine xen", "expected kvm or emu"},
      {"-kernel k --xstate-cache=maybe", "--xstate-cache=maybe: expected on or off"},
      {"-kernel k --xstate-cache=", "--xstate-cache=: expected on or off"},
      {"-kernel k --xstate-cache", "option '--xstate-cache' needs an argument (on|off)"},
      {"-kernel k -icount 2", "-icount needs the software engine (-machine accel=tcg)"},
      {"-kernel k -accel tcg -icount 2 -enable-kvm", "-icount needs the software engine"},
      {"-kernel k -accel tcg -icount 11", "-icount 11: shift must be 0-10"},
      {"-kernel k -accel tcg -icount shift=auto", "shift=auto is not supported"},
      {"-kernel k -accel tcg -icount sleep=off", "-icount sleep=off: shift=N is required"},
      {"-kernel k -accel tcg -icount 1,align=on", "-icount 1,align=on: unsupported property 'align'"},
      {"-kernel k -accel tcg -icount 1,sleep=maybe", "-icount sleep: 'maybe' is not on or off"},
      {"-kernel k -accel tcg -icount x", "-icount shift: 'x' is not a number"},
      {"-kernel k --ipi-fastpath=off", "--ipi-fastpath=off needs the software engine"},
      {"-kernel k --engine emu --ipi-fastpath=fast", "--ipi-fastpath: 'fast' is not on or off"},
      {"-kernel k --no-reboot=yes", "option '-no-reboot' takes no argument (given '--no-reboot=yes')"},
      {"-kernel k --bogus=1", "unsupported option '--bogus=1'"},
  };
  for (const BadCase& c : cases) {
    SCOPED_TRACE(c.args);
    try {
      parse(c.args);
      ADD_FAILURE() << "accepted";
    } catch (const UsageError& e) {
      EXPECT_THAT(e.what(), HasSubstr(c.message));
      EXPECT_EQ(std::string(e.what()).find('\n'), std::string::npos) << "one line";
    }
  }
}

TEST(CommandLine, DeviceHelpMatchesWhatKvmUnitTestsGreps) {
  std::string text = device_help_text();
  // x86/run: grep -F -e "\"testdev\"" -e "\"pc-testdev\"", then grep -F "pci-testdev" and "pc-testdev".
  EXPECT_THAT(text, HasSubstr("name \"pc-testdev\", bus ISA\n"));
  EXPECT_THAT(text, HasSubstr("name \"pci-testdev\", bus PCI, desc \"PCI Test Device\"\n"));
  EXPECT_THAT(text, HasSubstr("name \"isa-debug-exit\", bus ISA\n"));
  // Every listed device is accepted by -device.
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    size_t open = line.find("name \"");
    if (open == std::string::npos) continue;
    std::string name = line.substr(open + 6, line.find('"', open + 6) - open - 6);
    EXPECT_NO_THROW(parse("-kernel k -device " + name)) << name;
  }
}

TEST(CommandLine, UsageMentionsQemuAndEveryOption) {
  std::string text = usage_text();
  // scripts/arch-run.bash accepts a binary whose --help mentions QEMU.
  EXPECT_THAT(text.substr(0, text.find('\n')), HasSubstr("QEMU"));
  for (const char* opt : {"-kernel",    "-append",     "-initrd",     "-m ",      "-smp",    "-cpu",    "-machine",
                          "-M ",        "-accel",      "-enable-kvm", "-engine",  "-device", "-serial", "-display",
                          "-no-reboot", "-nodefaults", "-global",     "-version", "-help",   "-h ", "-xstate-cache", "-icount",
                          "-ipi-fastpath"})
    EXPECT_THAT(text, HasSubstr(std::string("\n  ") + opt)) << opt;
  EXPECT_THAT(version_text(), HasSubstr(NESTVISOR_VERSION));
}

}  // namespace
}  // namespace nv
