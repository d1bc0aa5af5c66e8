// nestvisor: command-line entry point. Errors a user can cause end in one
// line on stderr and exit status 2; the guest decides every other status.
#include "cli/command_line.h"
#include "util/error.h"
#include "util/log.h"
#include "vmm/machine.h"

#include <pthread.h>

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <string_view>
#include <exception>
#include <string>
#include <thread>
#include <vector>

namespace {

// Termination signals end the machine in order (vCPUs stopped, serial output
// flushed) instead of killing the process mid-line. The message has QEMU's
// wording, which kvm-unit-tests' runner looks for. The signals are blocked
// in every thread and taken by one sigwait() thread, so nothing runs in
// signal context.
void stop_on_termination_signals(nv::MachineControl& control) {
  sigset_t set;
  sigemptyset(&set);
  for (int sig : {SIGINT, SIGTERM, SIGHUP}) sigaddset(&set, sig);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  std::thread([set, &control] {
    int sig = 0;
    if (sigwait(&set, &sig) != 0) return;
    nv::log_warn("terminating on signal {}", sig);
    control.request_termination(sig);
  }).detach();
}

}  // namespace

int main(int argc, char** argv) {
  using namespace nv;
  std::vector<std::string> args(argv + 1, argv + argc);
  // NESTVISOR_LOG=debug|info|warn raises or restores the log level; the
  // default (warn) keeps stderr clean for kvm-unit-tests' runner.
  if (const char* level = std::getenv("NESTVISOR_LOG")) {
    std::string_view l = level;
    set_log_level(l == "debug" ? LogLevel::debug : l == "info" ? LogLevel::info : LogLevel::warn);
  }
  try {
    CommandLine cl = parse_command_line(args);
    switch (cl.action) {
      case CommandLine::Action::help:
        std::fputs(usage_text().c_str(), stdout);
        return 0;
      case CommandLine::Action::version:
        std::fputs(version_text().c_str(), stdout);
        return 0;
      case CommandLine::Action::device_help:
        std::fputs(device_help_text().c_str(), stdout);
        return 0;
      case CommandLine::Action::run:
        break;
    }
    for (const std::string& w : cl.warnings) log_warn("{}", w);
    // A closed stdout must not kill the VMM; the serial port sees EPIPE.
    std::signal(SIGPIPE, SIG_IGN);
    Machine machine(std::move(cl.config));
    stop_on_termination_signals(machine.control());
    return machine.run();
  } catch (const UsageError& e) {
    log_error("{}", e.what());
    return kExitUsageError;
  } catch (const Error& e) {
    log_error("{}", e.what());
    return kExitUsageError;
  } catch (const std::exception& e) {
    log_error("internal error: {}", e.what());
    return kExitEngineFailure;
  }
}
