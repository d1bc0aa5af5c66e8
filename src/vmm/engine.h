// An execution engine runs the vCPUs of a Machine until the machine control
// asks for a stop (exit or reset). KvmEngine (kvm/) uses /dev/kvm;
// EmuEngine (cpu/, mmu/) will be the software CPU.
#pragma once

namespace nv {

class Engine {
 public:
  virtual ~Engine() = default;
  // Runs until MachineControl::stop_requested(); returns after every vCPU
  // has stopped. Fatal engine errors throw nv::Error.
  virtual void run() = 0;
};

}  // namespace nv
