#include "devices/serial_16550.h"
#include "devices_test_support.h"
#include "util/error.h"
#include "vmm/bus.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>
#include <iterator>
#include <memory>
#include <string>

namespace nv {
namespace {

constexpr uint16_t kThr = Serial16550::kBase + 0, kIer = Serial16550::kBase + 1, kIir = Serial16550::kBase + 2,
                   kLcr = Serial16550::kBase + 3, kMcr = Serial16550::kBase + 4, kLsr = Serial16550::kBase + 5,
                   kMsr = Serial16550::kBase + 6, kScr = Serial16550::kBase + 7;

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

class SerialTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = ::testing::TempDir() + "nv_serial_" + std::to_string(getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name();
    serial_ = std::make_unique<Serial16550>(SerialConfig{SerialMode::file, path_}, irq_);
    serial_->attach(io_, mmio_);
    irq_.attach(&sink_);
  }
  void TearDown() override {
    serial_.reset();
    unlink(path_.c_str());
  }
  uint8_t in(uint16_t port) { return static_cast<uint8_t>(io_.read_or_float(port, 1)); }
  void out(uint16_t port, uint8_t value) { io_.write_or_drop(port, 1, value); }
  void send(std::string_view s) {
    for (char c : s) out(kThr, static_cast<uint8_t>(c));
  }

  std::string path_;
  Bus io_{Bus::Kind::io};
  Bus mmio_{Bus::Kind::mmio};
  IrqRouter irq_;
  test::RecordingSink sink_;
  std::unique_ptr<Serial16550> serial_;
};

TEST_F(SerialTest, TransmittedBytesReachTheFileExactly) {
  std::string all_bytes;
  for (int b = 0; b < 256; ++b) all_bytes.push_back(static_cast<char>(b));
  send("first line\n");
  EXPECT_EQ(read_file(path_), "first line\n") << "a complete line is written at once";
  send(all_bytes);
  send("tail without newline");
  serial_->flush();
  EXPECT_EQ(read_file(path_), "first line\n" + all_bytes + "tail without newline");
}

TEST_F(SerialTest, DestructorFlushesAPartialLine) {
  send("no newline");
  serial_.reset();
  EXPECT_EQ(read_file(path_), "no newline");
}

TEST_F(SerialTest, LineStatusReportsTransmitterEmptyAndReceivedData) {
  EXPECT_EQ(in(kLsr), 0x60) << "THRE and TEMT set, no data ready";
  serial_->receive('k');
  EXPECT_EQ(in(kLsr), 0x61);
  EXPECT_EQ(in(kThr), 'k');
  EXPECT_EQ(in(kLsr), 0x60);
}

TEST_F(SerialTest, DivisorLatchRoundTripsBehindDlab) {
  out(kIer, 0x05);
  out(kLcr, 0x83);  // DLAB, 8 data bits
  out(kThr, 0x01);  // DLL
  out(kIer, 0x02);  // DLM
  EXPECT_EQ(in(kThr), 0x01);
  EXPECT_EQ(in(kIer), 0x02);
  EXPECT_EQ(in(kLcr), 0x83);
  out(kLcr, 0x03);
  EXPECT_EQ(in(kIer), 0x05) << "IER is back once DLAB is clear";
  out(kLcr, 0x83);
  EXPECT_EQ(in(kThr), 0x01) << "the divisor survives";
  serial_->flush();
  EXPECT_EQ(read_file(path_), "") << "DLL writes are not transmitted";
}

TEST_F(SerialTest, LoopbackFeedsTheReceiverAndModemLines) {
  out(kMcr, 0x10);  // loopback, all modem outputs low
  EXPECT_EQ(in(kMsr)&0xf0, 0x00);
  out(kThr, 'L');
  EXPECT_EQ(in(kLsr)&0x01, 0x01);
  EXPECT_EQ(in(kThr), 'L');
  out(kMcr, 0x10 | 0x01 | 0x02);  // DTR and RTS
  EXPECT_EQ(in(kMsr), 0x20 | 0x10 | 0x02 | 0x01) << "DSR and CTS follow, with their deltas";
  EXPECT_EQ(in(kMsr), 0x30) << "deltas clear on read";
  serial_->receive('x');
  EXPECT_EQ(in(kLsr)&0x01, 0) << "the external line is disconnected in loopback";
  out(kMcr, 0x00);
  send("out\n");
  EXPECT_EQ(read_file(path_), "out\n") << "only bytes sent outside loopback reach the file";
}

TEST_F(SerialTest, ScratchRegisterHoldsAByte) {
  out(kScr, 0xa5);
  EXPECT_EQ(in(kScr), 0xa5);
}

TEST_F(SerialTest, ThreInterruptFollows16550Rules) {
  EXPECT_EQ(in(kIir), 0x01) << "nothing pending";
  out(kIer, 0x02);
  EXPECT_EQ(sink_.take(), (std::vector<std::pair<unsigned, bool>>{{4, true}}));
  EXPECT_EQ(in(kIir), 0x02);
  EXPECT_EQ(sink_.take(), (std::vector<std::pair<unsigned, bool>>{{4, false}})) << "reading IIR clears THRE";
  EXPECT_EQ(in(kIir), 0x01);
  out(kThr, 'a');
  EXPECT_EQ(sink_.take(), (std::vector<std::pair<unsigned, bool>>{{4, true}}));
  out(kThr, 'b');
  EXPECT_EQ(sink_.take(), (std::vector<std::pair<unsigned, bool>>{{4, false}, {4, true}}))
      << "a THR write lowers the line before THRE is pending again";
  out(kIer, 0x00);
  EXPECT_EQ(sink_.take(), (std::vector<std::pair<unsigned, bool>>{{4, false}}));
}

TEST_F(SerialTest, ReceiveInterruptHasPriorityOverThre) {
  out(kIer, 0x03);
  sink_.take();
  serial_->receive('r');
  EXPECT_EQ(in(kIir), 0x04);
  EXPECT_EQ(in(kThr), 'r');
  EXPECT_EQ(in(kIir), 0x02) << "THRE shows once the data is read";
  EXPECT_EQ(in(kIir), 0x01);
  EXPECT_EQ(sink_.take(), (std::vector<std::pair<unsigned, bool>>{{4, false}}))
      << "the line stayed high from THRE through the receive interrupt";
}

TEST_F(SerialTest, FifoOverrunSetsLineStatus) {
  out(kIir, 0x01 | 0x02 | 0xc0);  // FCR: enable and clear FIFOs, trigger at 14
  EXPECT_EQ(in(kIir)&0xc0, 0xc0) << "IIR reports FIFOs enabled";
  for (unsigned i = 0; i < Serial16550::kFifoSize; ++i) serial_->receive(static_cast<uint8_t>(i));
  EXPECT_EQ(in(kLsr), 0x61);
  serial_->receive(0xee);
  EXPECT_EQ(in(kLsr), 0x63) << "overrun error";
  EXPECT_EQ(in(kLsr), 0x61) << "error bits clear on read";
  for (unsigned i = 0; i < Serial16550::kFifoSize; ++i) EXPECT_EQ(in(kThr), i);
  EXPECT_EQ(in(kLsr), 0x60) << "the overrunning byte was dropped";
}

TEST_F(SerialTest, RxBelowTriggerLevelReportsTimeout) {
  out(kIir, 0x01 | 0x40);  // FIFO, trigger level 4
  out(kIer, 0x01);
  serial_->receive('1');
  EXPECT_EQ(in(kIir), 0xc0 | 0x0c);
  for (char c : std::string("234")) serial_->receive(static_cast<uint8_t>(c));
  EXPECT_EQ(in(kIir), 0xc0 | 0x04);
}

TEST(Serial, UnopenableFileIsAnErrorNamingThePath) {
  IrqRouter irq;
  try {
    Serial16550 s(SerialConfig{SerialMode::file, "/nonexistent-dir/serial.log"}, irq);
    FAIL() << "expected nv::Error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("/nonexistent-dir/serial.log"), std::string::npos) << e.what();
  }
}

TEST(Serial, ModeNoneStillModelsRegisters) {
  IrqRouter irq;
  Bus io(Bus::Kind::io), mmio(Bus::Kind::mmio);
  Serial16550 s(SerialConfig{SerialMode::none, ""}, irq);
  s.attach(io, mmio);
  io.write_or_drop(kThr, 1, 'x');
  EXPECT_EQ(io.read_or_float(kLsr, 1), 0x60u);
  EXPECT_EQ(io.find(Serial16550::kBase + 8), nullptr) << "8 ports only";
}

}  // namespace
}  // namespace nv
