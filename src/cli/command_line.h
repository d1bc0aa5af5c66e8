// The nestvisor command line: the subset of QEMU's options that
// kvm-unit-tests' runner passes (x86/run, scripts/arch-run.bash,
// x86/unittests.cfg), with QEMU's syntax, plus --engine.
#pragma once

#include "util/error.h"
#include "vmm/machine_config.h"

#include <string>
#include <vector>

namespace nv {

// A malformed or unsupported command line; main() prints it as one line and
// exits with status 2.
class UsageError : public Error {
 public:
  using Error::Error;
};

struct CommandLine {
  enum class Action { run, help, version, device_help };
  Action action = Action::run;
  MachineConfig config;
  // Options accepted but not honoured (-global, some -cpu properties), one
  // line each, for main() to print as warnings.
  std::vector<std::string> warnings;
};

// Parses the arguments after argv[0]. Options take one or two leading dashes,
// as in QEMU, and their value as the next argument or after '=' (--name=VALUE).
// --help, --version and -device help end parsing like QEMU does.
// Throws UsageError.
CommandLine parse_command_line(const std::vector<std::string>& args);

// --help: the version line (kvm-unit-tests looks for "QEMU" in it) and every
// option with a one-line description.
std::string usage_text();

// --version.
std::string version_text();

// -device help: the devices -device accepts, in QEMU's format
// (name "pc-testdev", bus ISA) so that kvm-unit-tests' x86/run finds them.
std::string device_help_text();

}  // namespace nv
