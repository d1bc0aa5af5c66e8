#include "cli/command_line.h"

#include "cpuid/cpu_model.h"
#include "vmm/memory_layout.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <optional>
#include <set>
#include <string_view>

namespace nv {

namespace {

template <typename... Args>
[[noreturn]] void usage_fail(fmt::format_string<Args...> f, Args&&... args) {
  throw UsageError(fmt::format(f, std::forward<Args>(args)...));
}

// QEMU option values are comma-separated items; ",," is a literal comma.
std::vector<std::string> split_items(std::string_view value) {
  std::vector<std::string> items(1);
  for (size_t i = 0; i < value.size(); ++i) {
    if (value[i] != ',') {
      items.back().push_back(value[i]);
    } else if (i + 1 < value.size() && value[i + 1] == ',') {
      items.back().push_back(',');
      ++i;
    } else {
      items.emplace_back();
    }
  }
  return items;
}

struct Item {
  std::string key;
  std::optional<std::string> value;  // absent for a bare "key"
};

Item split_item(std::string_view item) {
  size_t eq = item.find('=');
  if (eq == std::string_view::npos) return Item{std::string(item), std::nullopt};
  return Item{std::string(item.substr(0, eq)), std::string(item.substr(eq + 1))};
}

// An unsigned number in C syntax (decimal, 0x hex, 0 octal), as QEMU reads
// integer properties.
uint64_t parse_number(std::string_view text, std::string_view what) {
  std::string s(text);
  char* end = nullptr;
  errno = 0;
  unsigned long long v = std::strtoull(s.c_str(), &end, 0);
  if (s.empty() || s[0] == '-' || *end != '\0' || errno == ERANGE) usage_fail("{}: '{}' is not a number", what, text);
  return v;
}

bool parse_switch(std::string_view value, std::string_view what) {
  if (value == "on" || value == "yes" || value == "true") return true;
  if (value == "off" || value == "no" || value == "false") return false;
  usage_fail("{}: '{}' is not on or off", what, value);
}

// -m sizes (QEMU's qemu_strtosz_MiB): a number, possibly fractional, with an
// optional B/K/M/G/T/P/E suffix (either case); no suffix means MiB.
uint64_t parse_ram_size(std::string_view text) {
  std::string s(text);
  char* end = nullptr;
  errno = 0;
  double v = std::strtod(s.c_str(), &end);
  if (s.empty() || end == s.c_str() || errno == ERANGE || !(v > 0))
    usage_fail("-m {}: not a memory size (examples: 512, 512M, 2G)", text);
  std::string_view suffix(end);
  int shift = 20;
  if (!suffix.empty()) {
    constexpr std::string_view kUnits = "bkmgtpe";
    size_t unit = suffix.size() == 1 ? kUnits.find(static_cast<char>(std::tolower(suffix[0]))) : std::string_view::npos;
    if (unit == std::string_view::npos) usage_fail("-m {}: unknown size suffix '{}' (use K, M, G or T)", text, suffix);
    shift = static_cast<int>(unit) * 10;
  }
  double bytes = std::ldexp(v, shift);
  if (bytes >= std::ldexp(1.0, 52)) usage_fail("-m {}: memory size too large", text);
  // Guest RAM is mapped in whole pages.
  return (static_cast<uint64_t>(std::ceil(bytes)) + 4095) & ~uint64_t{4095};
}

constexpr uint64_t kMaxIcountShift = 10;

constexpr std::string_view kDevices[] = {"isa-debug-exit", "pc-testdev", "pci-testdev"};

// -cpu properties QEMU has that nestvisor accepts but does not act on
// (the ones it honours are cpuid/cpu_model.h's is_cpu_property).
// "migratable" and "check" change nothing here: every supported feature is
// passed on and missing ones are always reported.
constexpr std::string_view kSilentCpuProperties[] = {"migratable", "check"};
constexpr std::string_view kIgnoredCpuProperties[] = {"host-phys-bits-limit", "l3-cache",     "enforce", "min-level",
                                                      "min-xlevel",           "tsc-frequency"};

template <size_t N>
bool contains(const std::string_view (&list)[N], std::string_view s) {
  return std::find(std::begin(list), std::end(list), s) != std::end(list);
}

class Parser {
 public:
  CommandLine result;

  void no_reboot(const std::string&) { result.config.no_reboot = true; }
  void nodefaults(const std::string&) {}  // nestvisor creates no default devices anyway
  void enable_kvm(const std::string&) { result.config.engine = EngineKind::kvm; }
  void kernel(const std::string& v) { result.config.kernel = v; }
  void append(const std::string& v) { result.config.append = v; }
  void initrd(const std::string& v) { result.config.initrd = v; }
  void help(const std::string&) { result.action = CommandLine::Action::help; }
  void version(const std::string&) { result.action = CommandLine::Action::version; }

  void display(const std::string& v) {
    if (v != "none") usage_fail("-display {}: only 'none' is supported (nestvisor has no display)", v);
  }

  void global(const std::string& v) {
    if (v.find('=') == std::string::npos) usage_fail("-global {}: expected DRIVER.PROPERTY=VALUE", v);
    warn(fmt::format("-global {} is not supported and is ignored", v));
  }

  void engine(const std::string& v) {
    if (v == "kvm")
      result.config.engine = EngineKind::kvm;
    else if (v == "emu")
      result.config.engine = EngineKind::emu;
    else
      usage_fail("--engine {}: expected kvm or emu", v);
  }

  void xstate_cache(const std::string& v) {
    if (v != "on" && v != "off") usage_fail("--xstate-cache={}: expected on or off", v);
    result.config.xstate_cache = v == "on";
  }

  // -icount [shift=]N[,sleep=on|off] (QEMU's syntax; QEMU caps the shift at 10).
  void icount(const std::string& v) {
    IcountConfig cfg;
    bool has_shift = false;
    std::vector<std::string> items = split_items(v);
    for (size_t i = 0; i < items.size(); ++i) {
      Item it = split_item(items[i]);
      if (i == 0 && !it.value) it = Item{"shift", it.key};
      if (!it.value) usage_fail("-icount {}: '{}' needs a value", v, it.key);
      if (it.key == "shift") {
        if (*it.value == "auto") usage_fail("-icount {}: shift=auto is not supported; give a number 0-10", v);
        uint64_t shift = parse_number(*it.value, "-icount shift");
        if (shift > kMaxIcountShift) usage_fail("-icount {}: shift must be 0-{}", v, kMaxIcountShift);
        cfg.shift = static_cast<unsigned>(shift);
        has_shift = true;
      } else if (it.key == "sleep") {
        cfg.sleep = parse_switch(*it.value, "-icount sleep");
      } else {
        usage_fail("-icount {}: unsupported property '{}'; supported: shift, sleep", v, it.key);
      }
    }
    if (!has_shift) usage_fail("-icount {}: shift=N is required", v);
    result.config.icount = cfg;
  }

  void ipi_fastpath(const std::string& v) { result.config.ipi_fastpath = parse_switch(v, "--ipi-fastpath"); }

  // Options that only the software engine can honour; -machine accel may come
  // after them, so this runs once the whole line is read.
  void check_engine_options() {
    if (result.config.engine != EngineKind::kvm) return;
    if (result.config.icount)
      usage_fail("-icount needs the software engine (-machine accel=tcg): with KVM the CPU runs in real time");
    if (!result.config.ipi_fastpath)
      usage_fail("--ipi-fastpath=off needs the software engine (-machine accel=tcg): KVM's in-kernel APIC has its own");
  }

  void serial(const std::string& v) {
    if (serial_seen_) usage_fail("-serial {}: only one serial port is supported", v);
    serial_seen_ = true;
    SerialConfig& s = result.config.serial;
    if (v == "stdio") {
      s.mode = SerialMode::stdio;
    } else if (v == "none") {
      s.mode = SerialMode::none;
    } else if (v.starts_with("file:") && v.size() > 5) {
      s.mode = SerialMode::file;
      s.path = v.substr(5);
    } else {
      usage_fail("-serial {}: expected stdio, file:PATH or none", v);
    }
  }

  void accel_name(std::string_view v, std::string_view option) {
    // QEMU takes a ':'-separated list of accelerators to try; the first one
    // nestvisor knows is used.
    for (const std::string& name : split_on(v, ':')) {
      if (name == "kvm") {
        result.config.engine = EngineKind::kvm;
        return;
      }
      if (name == "tcg") {
        result.config.engine = EngineKind::emu;
        return;
      }
    }
    usage_fail("{} accel={}: supported accelerators are kvm and tcg", option, v);
  }

  void kernel_irqchip(std::string_view v, std::string_view option) {
    if (v != "on") usage_fail("{} kernel-irqchip={}: only kernel-irqchip=on (the default) is supported", option, v);
  }

  void machine(const std::string& v) {
    std::vector<std::string> items = split_items(v);
    for (size_t i = 0; i < items.size(); ++i) {
      Item it = split_item(items[i]);
      if (i == 0 && !it.value) it = Item{"type", it.key};
      if (!it.value) usage_fail("-machine {}: '{}' needs a value", v, it.key);
      const std::string& val = *it.value;
      if (it.key == "type") {
        if (val != "pc") usage_fail("-machine {}: machine type '{}' is not supported; supported: pc", v, val);
      } else if (it.key == "accel") {
        accel_name(val, "-machine");
      } else if (it.key == "pit") {
        result.config.in_kernel_pit = parse_switch(val, "-machine pit");
      } else if (it.key == "kernel-irqchip") {
        kernel_irqchip(val, "-machine");
      } else if (it.key == "vmport") {
        if (parse_switch(val, "-machine vmport"))
          usage_fail("-machine vmport=on: the VMware I/O port is not supported");
      } else {
        usage_fail("-machine {}: unsupported property '{}'; supported: type, accel, pit, kernel-irqchip, vmport", v,
                   it.key);
      }
    }
  }

  void accel(const std::string& v) {
    std::vector<std::string> items = split_items(v);
    accel_name(items[0], "-accel");
    for (size_t i = 1; i < items.size(); ++i) {
      Item it = split_item(items[i]);
      if (it.key != "kernel-irqchip" || !it.value)
        usage_fail("-accel {}: unsupported property '{}'; supported: kernel-irqchip", v, items[i]);
      kernel_irqchip(*it.value, "-accel");
    }
  }

  void device(const std::string& v) {
    std::vector<std::string> items = split_items(v);
    const std::string& name = items[0];
    if (name == "help" || name == "?") {
      result.action = CommandLine::Action::device_help;
      return;
    }
    if (!contains(kDevices, name))
      usage_fail("-device {}: unsupported device '{}'; supported devices: {} (see -device help)", v, name,
                 fmt::join(kDevices, ", "));
    if (!devices_seen_.insert(name).second) usage_fail("-device {}: only one {} is supported", v, name);
    DebugExitConfig debug_exit;
    for (size_t i = 1; i < items.size(); ++i) {
      Item it = split_item(items[i]);
      bool numeric = name == "isa-debug-exit" && (it.key == "iobase" || it.key == "iosize");
      if (!numeric) usage_fail("-device {}: device '{}' has no property '{}'", v, name, it.key);
      if (!it.value) usage_fail("-device {}: property '{}' needs a value", v, it.key);
      uint64_t n = parse_number(*it.value, fmt::format("-device {} {}", name, it.key));
      if (n > 0xffff) usage_fail("-device {}: {}={} is not a 16-bit I/O port value", v, it.key, *it.value);
      (it.key == "iobase" ? debug_exit.iobase : debug_exit.iosize) = static_cast<uint16_t>(n);
    }
    if (name == "isa-debug-exit") {
      if (debug_exit.iosize == 0 || debug_exit.iobase + debug_exit.iosize > 0x10000)
        usage_fail("-device {}: ports {:#x}+{:#x} are not a valid I/O range", v, debug_exit.iobase, debug_exit.iosize);
      result.config.debug_exit = debug_exit;
    } else if (name == "pc-testdev") {
      result.config.pc_testdev = true;
    } else {
      result.config.pci_testdev = true;
    }
  }

  // -smp [cpus=]N[,maxcpus=M][,sockets=S][,dies=D][,clusters=C][,cores=C][,threads=T]
  void smp(const std::string& v) {
    std::optional<uint64_t> cpus, maxcpus;
    uint64_t topology = 1;
    bool has_topology = false;
    std::vector<std::string> items = split_items(v);
    for (size_t i = 0; i < items.size(); ++i) {
      Item it = split_item(items[i]);
      if (i == 0 && !it.value) it = Item{"cpus", it.key};
      if (!it.value) usage_fail("-smp {}: '{}' needs a value", v, it.key);
      uint64_t n = parse_number(*it.value, fmt::format("-smp {}", it.key));
      if (it.key == "cpus") {
        cpus = n;
      } else if (it.key == "maxcpus") {
        maxcpus = n;
      } else if (it.key == "sockets" || it.key == "dies" || it.key == "clusters" || it.key == "cores" ||
                 it.key == "threads") {
        if (n == 0) usage_fail("-smp {}: {} must be greater than zero", v, it.key);
        topology = std::min<uint64_t>(topology * n, 1u << 20);
        has_topology = true;
      } else {
        usage_fail("-smp {}: unsupported property '{}'", v, it.key);
      }
    }
    uint64_t n = cpus ? *cpus : maxcpus ? *maxcpus : topology;
    if (n == 0) usage_fail("-smp {}: the number of CPUs must be at least 1", v);
    // QEMU's wording: kvm-unit-tests' MAX_SMP probe takes the last word.
    if (n > layout::kMaxVcpus)
      usage_fail("Invalid SMP CPUs {}. The max CPUs supported by machine 'pc' is {}", n, layout::kMaxVcpus);
    if (maxcpus && *maxcpus < n) usage_fail("-smp {}: maxcpus must be equal to or greater than the CPU count", v);
    if (has_topology && topology != (maxcpus ? *maxcpus : n))
      usage_fail("-smp {}: sockets*dies*clusters*cores*threads ({}) must equal maxcpus ({})", v, topology,
                 maxcpus ? *maxcpus : n);
    if (maxcpus && *maxcpus > n) warn(fmt::format("-smp {}: CPU hotplug is not supported; maxcpus is ignored", v));
    if (has_topology)
      warn(fmt::format("-smp {}: the CPU topology is not modelled; the guest sees {} CPUs and the engine's topology", v,
                       n));
    result.config.vcpus = static_cast<unsigned>(n);
  }

  // -m [size=]N[,slots=..,maxmem=..]
  void memory(const std::string& v) {
    std::vector<std::string> items = split_items(v);
    for (size_t i = 0; i < items.size(); ++i) {
      Item it = split_item(items[i]);
      if (i == 0 && !it.value) it = Item{"size", it.key};
      if (it.key == "size" && it.value) {
        result.config.ram_bytes = parse_ram_size(*it.value);
      } else if (it.key == "slots" || it.key == "maxmem") {
        usage_fail("-m {}: memory hotplug ({}) is not supported", v, it.key);
      } else {
        usage_fail("-m {}: unsupported property '{}'", v, items[i]);
      }
    }
  }

  // -cpu MODEL[,+feat][,-feat][,feat=on|off][,prop=value]...
  void cpu(const std::string& v) {
    std::vector<std::string> items = split_items(v);
    CpuConfig cfg;
    cfg.model = items[0];
    if (!is_cpu_model(cfg.model))
      usage_fail("-cpu {}: unsupported CPU model '{}'; supported: {}", v, cfg.model,
                 fmt::join(cpu_model_names(), ", "));
    for (size_t i = 1; i < items.size(); ++i) {
      const std::string& item = items[i];
      if (item.empty()) continue;
      if (item[0] == '+' || item[0] == '-') {
        cpu_feature(v, item.substr(1), item[0] == '+', cfg);
        continue;
      }
      Item it = split_item(item);
      std::string key = it.key;
      std::replace(key.begin(), key.end(), '_', '-');
      if (!canonical_cpu_feature(key).empty() || key.starts_with("vmx-")) {
        cpu_feature(v, it.key, it.value ? parse_switch(*it.value, fmt::format("-cpu {}", it.key)) : true, cfg);
      } else if (key.starts_with("hv-")) {
        usage_fail("-cpu {}: '{}': Hyper-V enlightenments are not supported", v, it.key);
      } else if (is_cpu_property(key)) {
        // A bare property means "on", as QEMU's key=value parser reads it.
        CpuProperty property{key, it.value.value_or("on")};
        try {
          check_cpu_property(property);
        } catch (const Error& e) {
          throw UsageError(e.what());
        }
        cfg.properties.push_back(std::move(property));
      } else if (contains(kSilentCpuProperties, key)) {
      } else if (contains(kIgnoredCpuProperties, key)) {
        warn(fmt::format("-cpu property '{}' is not supported and is ignored", item));
      } else {
        usage_fail("-cpu {}: unknown CPU feature or property '{}'", v, it.key);
      }
    }
    result.config.cpu = cfg;
  }

 private:
  static std::vector<std::string> split_on(std::string_view v, char sep) {
    std::vector<std::string> parts(1);
    for (char c : v) {
      if (c == sep)
        parts.emplace_back();
      else
        parts.back().push_back(c);
    }
    return parts;
  }

  void cpu_feature(std::string_view option, std::string_view name, bool enable, CpuConfig& cfg) {
    if (name.starts_with("vmx-") || name.starts_with("vmx_")) {
      // QEMU's vmx-* names are bits of the VMX capability MSRs, not CPUID.
      warn(fmt::format("-cpu {}{}: VMX capability controls are not modelled; ignored", enable ? '+' : '-', name));
      return;
    }
    if (canonical_cpu_feature(name).empty()) usage_fail("-cpu {}: unknown CPU feature '{}'", option, name);
    cfg.flags.push_back(CpuFlag{std::string(name), enable});
  }

  // Each distinct warning once, however often the option repeats.
  void warn(std::string text) {
    if (std::find(result.warnings.begin(), result.warnings.end(), text) == result.warnings.end())
      result.warnings.push_back(std::move(text));
  }

  bool serial_seen_ = false;
  std::set<std::string> devices_seen_;
};

struct Option {
  std::string_view name;
  std::string_view arg;  // empty: the option takes no value
  std::string_view help;
  void (Parser::*apply)(const std::string&);
};

constexpr Option kOptions[] = {
    {"kernel", "FILE", "multiboot kernel to boot (ELF32, ELF64 or a.out kludge)", &Parser::kernel},
    {"append", "CMDLINE", "kernel command line (the kernel sees \"FILE CMDLINE\")", &Parser::append},
    {"initrd", "FILE", "file passed as multiboot module 0", &Parser::initrd},
    {"m", "[size=]SIZE", "guest RAM; plain numbers are MiB, suffixes K, M, G, T (default 128M)", &Parser::memory},
    {"smp", "[cpus=]N[,maxcpus=N][,sockets=..,cores=..,threads=..]", "number of vCPUs (default 1)", &Parser::smp},
    {"cpu", "MODEL[,+FEAT|-FEAT|FEAT=on|off|PROP=VALUE...]",
     "CPU model (qemu64, kvm64, max, host), CPUID features and properties (vendor, model-id, family, model, "
     "stepping, level, xlevel, phys-bits, host-phys-bits, pmu)",
     &Parser::cpu},
    {"machine", "[type=]pc[,accel=kvm|tcg][,pit=on|off][,kernel-irqchip=on]", "machine type and accelerator",
     &Parser::machine},
    {"M", "[type=]pc[,...]", "same as -machine", &Parser::machine},
    {"accel", "kvm|tcg", "accelerator: kvm (/dev/kvm) or tcg (software engine)", &Parser::accel},
    {"enable-kvm", "", "same as -accel kvm", &Parser::enable_kvm},
    {"engine", "kvm|emu", "execution engine (nestvisor's name for -accel kvm|tcg)", &Parser::engine},
    {"xstate-cache", "on|off",
     "XSAVE sizes from the CPUID.0xD table built at start-up (on, default) or from host CPUID each time (off)",
     &Parser::xstate_cache},
    {"icount", "[shift=]N[,sleep=on|off]",
     "software engine: time follows the instruction count, 2^N ns per instruction (deterministic runs); "
     "sleep=off jumps over idle time",
     &Parser::icount},
    {"ipi-fastpath", "on|off", "software engine: the x2APIC ICR fast path for IPIs (default on)",
     &Parser::ipi_fastpath},
    {"device", "DEVICE[,PROP=VALUE...]",
     "add pc-testdev, pci-testdev or isa-debug-exit[,iobase=N][,iosize=N]; 'help' lists them", &Parser::device},
    {"serial", "stdio|file:PATH|none", "where the 16550 UART at 0x3f8 writes", &Parser::serial},
    {"display", "none", "no display (the only choice)", &Parser::display},
    {"no-reboot", "", "exit instead of rebooting when the guest resets", &Parser::no_reboot},
    {"nodefaults", "", "no default devices (accepted; nestvisor has none)", &Parser::nodefaults},
    {"global", "DRIVER.PROP=VALUE", "accepted and ignored with a warning", &Parser::global},
    {"version", "", "print the version and exit", &Parser::version},
    {"help", "", "print this help and exit", &Parser::help},
    {"h", "", "same as -help", &Parser::help},
};

}  // namespace

CommandLine parse_command_line(const std::vector<std::string>& args) {
  Parser p;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (arg.size() < 2 || arg[0] != '-')
      usage_fail("unexpected argument '{}': options start with '-' and the kernel is given with -kernel FILE", arg);
    std::string_view name = std::string_view(arg).substr(arg[1] == '-' ? 2 : 1);
    // "--name=VALUE" is the same as "--name VALUE".
    std::optional<std::string> inline_value;
    if (size_t eq = name.find('='); eq != std::string_view::npos) {
      inline_value = std::string(name.substr(eq + 1));
      name = name.substr(0, eq);
    }
    auto opt = std::find_if(std::begin(kOptions), std::end(kOptions), [&](const Option& o) { return o.name == name; });
    if (opt == std::end(kOptions)) {
      std::vector<std::string> names;
      for (const Option& o : kOptions) names.push_back("-" + std::string(o.name));
      usage_fail("unsupported option '{}'; supported: {}", arg, fmt::join(names, " "));
    }
    std::string value;
    if (opt->arg.empty()) {
      if (inline_value) usage_fail("option '-{}' takes no argument (given '{}')", name, arg);
    } else if (inline_value) {
      value = *inline_value;
    } else {
      if (i + 1 >= args.size()) usage_fail("option '{}' needs an argument ({})", arg, opt->arg);
      value = args[++i];
    }
    (p.*opt->apply)(value);
    if (p.result.action != CommandLine::Action::run) return p.result;
  }
  if (p.result.config.kernel.empty()) usage_fail("no kernel given: use -kernel FILE (see --help)");
  p.check_engine_options();
  return p.result;
}

std::string version_text() {
  return fmt::format("nestvisor version {}, a VMM for x86-64 test kernels taking QEMU's command line\n",
                     NESTVISOR_VERSION);
}

std::string usage_text() {
  std::string text = version_text();
  text += "usage: nestvisor [options] -kernel FILE\n\n";
  text += "Options take one or two dashes, as in QEMU, and a value either as the next argument or after '=';\n";
  text += "values with commas use QEMU's ',,' escape.\n";
  for (const Option& o : kOptions) {
    std::string left = fmt::format("-{}{}{}", o.name, o.arg.empty() ? "" : " ", o.arg);
    if (left.size() > 32) left += "\n" + std::string(2 + 32, ' ');  // long syntax: description below
    text += fmt::format("  {:<32} {}\n", left, o.help);
  }
  return text;
}

std::string device_help_text() {
  // QEMU prints "name \"X\", bus Y[, desc \"Z\"]" under a category heading.
  return "Misc devices:\n"
         "name \"isa-debug-exit\", bus ISA\n"
         "name \"pc-testdev\", bus ISA\n"
         "name \"pci-testdev\", bus PCI, desc \"PCI Test Device\"\n";
}

}  // namespace nv
