// The legacy (non-VEX) encodings of SSE3, SSSE3 (also on MMX registers),
// SSE4.1 and SSE4.2, CRC32 and POPCNT on the software CPU against the host CPU
// executing the same bytes (SDM Vol. 1 ch. 12, Vol. 2 per instruction): YMM0-2
// in all 256 bits (legacy SSE keeps bits 255:128, Vol. 2A §2.3.10.1), the
// memory operand, RAX, RCX, MXCSR and the arithmetic flags; MM0-1 for the MMX
// forms. Then the 16-byte alignment rule per exception type (Vol. 2A §2.5),
// the #UD/#NM rules and the CPUID bits the engine offers.
#include "cpu/emu_cpuid.h"
#include "cpu_avx_compare.h"
#include "cpu_simd_compare.h"
#include "cpuid/cpu_model.h"

#include <gtest/gtest.h>

#include <iterator>
#include <random>
#include <vector>

namespace nv::test {
namespace {

AVX_INSN(sse4_int_movsldup_r, "movsldup xmm0, xmm1")
AVX_INSN(sse4_int_movsldup_m, "movsldup xmm0, [rsi+16]")
AVX_INSN(sse4_int_movshdup_r, "movshdup xmm0, xmm2")
AVX_INSN(sse4_int_movshdup_m, "movshdup xmm0, [rsi]")
AVX_INSN(sse4_int_movddup_r, "movddup xmm0, xmm1")
AVX_INSN(sse4_int_movddup_m, "movddup xmm0, [rsi+8]")
AVX_INSN(sse4_int_lddqu_m, "lddqu xmm1, [rsi+3]")
AVX_INSN(sse4_int_pshufb_r, "pshufb xmm0, xmm1")
AVX_INSN(sse4_int_pshufb_m, "pshufb xmm1, [rsi+16]")
AVX_INSN(sse4_int_pabsb_r, "pabsb xmm0, xmm1")
AVX_INSN(sse4_int_pabsb_m, "pabsb xmm1, [rsi+16]")
AVX_INSN(sse4_int_pabsw_r, "pabsw xmm0, xmm1")
AVX_INSN(sse4_int_pabsw_m, "pabsw xmm1, [rsi+16]")
AVX_INSN(sse4_int_pabsd_r, "pabsd xmm0, xmm1")
AVX_INSN(sse4_int_pabsd_m, "pabsd xmm1, [rsi+16]")
AVX_INSN(sse4_int_psignb_r, "psignb xmm0, xmm1")
AVX_INSN(sse4_int_psignb_m, "psignb xmm1, [rsi+16]")
AVX_INSN(sse4_int_psignw_r, "psignw xmm0, xmm1")
AVX_INSN(sse4_int_psignw_m, "psignw xmm1, [rsi+16]")
AVX_INSN(sse4_int_psignd_r, "psignd xmm0, xmm1")
AVX_INSN(sse4_int_psignd_m, "psignd xmm1, [rsi+16]")
AVX_INSN(sse4_int_phaddw_r, "phaddw xmm0, xmm1")
AVX_INSN(sse4_int_phaddw_m, "phaddw xmm1, [rsi+16]")
AVX_INSN(sse4_int_phaddd_r, "phaddd xmm0, xmm1")
AVX_INSN(sse4_int_phaddd_m, "phaddd xmm1, [rsi+16]")
AVX_INSN(sse4_int_phaddsw_r, "phaddsw xmm0, xmm1")
AVX_INSN(sse4_int_phaddsw_m, "phaddsw xmm1, [rsi+16]")
AVX_INSN(sse4_int_phsubw_r, "phsubw xmm0, xmm1")
AVX_INSN(sse4_int_phsubw_m, "phsubw xmm1, [rsi+16]")
AVX_INSN(sse4_int_phsubd_r, "phsubd xmm0, xmm1")
AVX_INSN(sse4_int_phsubd_m, "phsubd xmm1, [rsi+16]")
AVX_INSN(sse4_int_phsubsw_r, "phsubsw xmm0, xmm1")
AVX_INSN(sse4_int_phsubsw_m, "phsubsw xmm1, [rsi+16]")
AVX_INSN(sse4_int_pmaddubsw_r, "pmaddubsw xmm0, xmm1")
AVX_INSN(sse4_int_pmaddubsw_m, "pmaddubsw xmm1, [rsi+16]")
AVX_INSN(sse4_int_pmulhrsw_r, "pmulhrsw xmm0, xmm1")
AVX_INSN(sse4_int_pmulhrsw_m, "pmulhrsw xmm1, [rsi+16]")
AVX_INSN(sse4_int_palignr_0, "palignr xmm0, xmm1, 0")
AVX_INSN(sse4_int_palignr_5, "palignr xmm0, xmm1, 5")
AVX_INSN(sse4_int_palignr_15, "palignr xmm0, xmm1, 15")
AVX_INSN(sse4_int_palignr_16, "palignr xmm0, xmm1, 16")
AVX_INSN(sse4_int_palignr_17, "palignr xmm0, xmm1, 17")
AVX_INSN(sse4_int_palignr_31, "palignr xmm0, xmm1, 31")
AVX_INSN(sse4_int_palignr_32, "palignr xmm0, xmm1, 32")
AVX_INSN(sse4_int_palignr_200, "palignr xmm0, xmm1, 200")
AVX_INSN(sse4_int_palignr_m, "palignr xmm0, [rsi+32], 9")
AVX_INSN(sse4_int_pminsb_r, "pminsb xmm0, xmm1")
AVX_INSN(sse4_int_pminsb_m, "pminsb xmm1, [rsi+16]")
AVX_INSN(sse4_int_pminsd_r, "pminsd xmm0, xmm1")
AVX_INSN(sse4_int_pminsd_m, "pminsd xmm1, [rsi+16]")
AVX_INSN(sse4_int_pminuw_r, "pminuw xmm0, xmm1")
AVX_INSN(sse4_int_pminuw_m, "pminuw xmm1, [rsi+16]")
AVX_INSN(sse4_int_pminud_r, "pminud xmm0, xmm1")
AVX_INSN(sse4_int_pminud_m, "pminud xmm1, [rsi+16]")
AVX_INSN(sse4_int_pmaxsb_r, "pmaxsb xmm0, xmm1")
AVX_INSN(sse4_int_pmaxsb_m, "pmaxsb xmm1, [rsi+16]")
AVX_INSN(sse4_int_pmaxsd_r, "pmaxsd xmm0, xmm1")
AVX_INSN(sse4_int_pmaxsd_m, "pmaxsd xmm1, [rsi+16]")
AVX_INSN(sse4_int_pmaxuw_r, "pmaxuw xmm0, xmm1")
AVX_INSN(sse4_int_pmaxuw_m, "pmaxuw xmm1, [rsi+16]")
AVX_INSN(sse4_int_pmaxud_r, "pmaxud xmm0, xmm1")
AVX_INSN(sse4_int_pmaxud_m, "pmaxud xmm1, [rsi+16]")
AVX_INSN(sse4_int_pmulld_r, "pmulld xmm0, xmm1")
AVX_INSN(sse4_int_pmulld_m, "pmulld xmm1, [rsi+16]")
AVX_INSN(sse4_int_pmuldq_r, "pmuldq xmm0, xmm1")
AVX_INSN(sse4_int_pmuldq_m, "pmuldq xmm1, [rsi+16]")
AVX_INSN(sse4_int_pcmpeqq_r, "pcmpeqq xmm0, xmm1")
AVX_INSN(sse4_int_pcmpeqq_m, "pcmpeqq xmm1, [rsi+16]")
AVX_INSN(sse4_int_packusdw_r, "packusdw xmm0, xmm1")
AVX_INSN(sse4_int_packusdw_m, "packusdw xmm1, [rsi+16]")
AVX_INSN(sse4_int_pcmpgtq_r, "pcmpgtq xmm0, xmm1")
AVX_INSN(sse4_int_pcmpgtq_m, "pcmpgtq xmm1, [rsi+16]")
AVX_INSN(sse4_int_pcmpeqq_same, "pcmpeqq xmm0, xmm0")
AVX_INSN(sse4_int_pblendw_r, "pblendw xmm0, xmm1, 0xa5")
AVX_INSN(sse4_int_pblendw_m, "pblendw xmm0, [rsi], 0x3c")
AVX_INSN(sse4_int_pblendvb_r, "pblendvb xmm1, xmm2")
AVX_INSN(sse4_int_pblendvb_m, "pblendvb xmm2, [rsi+32]")
AVX_INSN(sse4_int_blendvps_r, "blendvps xmm1, xmm2")
AVX_INSN(sse4_int_blendvps_m, "blendvps xmm1, [rsi+16]")
AVX_INSN(sse4_int_blendvpd_r, "blendvpd xmm2, xmm1")
AVX_INSN(sse4_int_blendvpd_m, "blendvpd xmm1, [rsi]")
AVX_INSN(sse4_int_blendps_r, "blendps xmm0, xmm1, 0x5")
AVX_INSN(sse4_int_blendps_m, "blendps xmm0, [rsi+16], 0xe")
AVX_INSN(sse4_int_blendpd_r, "blendpd xmm0, xmm1, 0x1")
AVX_INSN(sse4_int_blendpd_m, "blendpd xmm0, [rsi], 0x2")
AVX_INSN(sse4_int_phminposuw_r, "phminposuw xmm0, xmm1")
AVX_INSN(sse4_int_phminposuw_m, "phminposuw xmm2, [rsi+16]")
AVX_INSN(sse4_int_phminposuw_same, "phminposuw xmm0, xmm0")
AVX_INSN(sse4_int_mpsadbw_0, "mpsadbw xmm0, xmm1, 0")
AVX_INSN(sse4_int_mpsadbw_1, "mpsadbw xmm0, xmm1, 1")
AVX_INSN(sse4_int_mpsadbw_2, "mpsadbw xmm0, xmm1, 2")
AVX_INSN(sse4_int_mpsadbw_3, "mpsadbw xmm0, xmm1, 3")
AVX_INSN(sse4_int_mpsadbw_4, "mpsadbw xmm0, xmm1, 4")
AVX_INSN(sse4_int_mpsadbw_5, "mpsadbw xmm0, xmm1, 5")
AVX_INSN(sse4_int_mpsadbw_6, "mpsadbw xmm0, xmm1, 6")
AVX_INSN(sse4_int_mpsadbw_7, "mpsadbw xmm0, xmm1, 7")
AVX_INSN(sse4_int_mpsadbw_m, "mpsadbw xmm0, [rsi+16], 6")
AVX_INSN(sse4_int_pmovzxbw_r, "pmovzxbw xmm0, xmm1")
AVX_INSN(sse4_int_pmovsxbw_r, "pmovsxbw xmm0, xmm1")
AVX_INSN(sse4_int_pmovzxbw_m, "pmovzxbw xmm0, qword ptr [rsi+1]")
AVX_INSN(sse4_int_pmovsxbw_m, "pmovsxbw xmm2, qword ptr [rsi+7]")
AVX_INSN(sse4_int_pmovzxbd_r, "pmovzxbd xmm0, xmm1")
AVX_INSN(sse4_int_pmovsxbd_r, "pmovsxbd xmm0, xmm1")
AVX_INSN(sse4_int_pmovzxbd_m, "pmovzxbd xmm0, dword ptr [rsi+1]")
AVX_INSN(sse4_int_pmovsxbd_m, "pmovsxbd xmm2, dword ptr [rsi+7]")
AVX_INSN(sse4_int_pmovzxbq_r, "pmovzxbq xmm0, xmm1")
AVX_INSN(sse4_int_pmovsxbq_r, "pmovsxbq xmm0, xmm1")
AVX_INSN(sse4_int_pmovzxbq_m, "pmovzxbq xmm0, word ptr [rsi+1]")
AVX_INSN(sse4_int_pmovsxbq_m, "pmovsxbq xmm2, word ptr [rsi+7]")
AVX_INSN(sse4_int_pmovzxwd_r, "pmovzxwd xmm0, xmm1")
AVX_INSN(sse4_int_pmovsxwd_r, "pmovsxwd xmm0, xmm1")
AVX_INSN(sse4_int_pmovzxwd_m, "pmovzxwd xmm0, qword ptr [rsi+1]")
AVX_INSN(sse4_int_pmovsxwd_m, "pmovsxwd xmm2, qword ptr [rsi+7]")
AVX_INSN(sse4_int_pmovzxwq_r, "pmovzxwq xmm0, xmm1")
AVX_INSN(sse4_int_pmovsxwq_r, "pmovsxwq xmm0, xmm1")
AVX_INSN(sse4_int_pmovzxwq_m, "pmovzxwq xmm0, dword ptr [rsi+1]")
AVX_INSN(sse4_int_pmovsxwq_m, "pmovsxwq xmm2, dword ptr [rsi+7]")
AVX_INSN(sse4_int_pmovzxdq_r, "pmovzxdq xmm0, xmm1")
AVX_INSN(sse4_int_pmovsxdq_r, "pmovsxdq xmm0, xmm1")
AVX_INSN(sse4_int_pmovzxdq_m, "pmovzxdq xmm0, qword ptr [rsi+1]")
AVX_INSN(sse4_int_pmovsxdq_m, "pmovsxdq xmm2, qword ptr [rsi+7]")
AVX_INSN(sse4_int_pextrb_r, "pextrb eax, xmm1, 5")
AVX_INSN(sse4_int_pextrb_r64, "pextrb rcx, xmm1, 31")
AVX_INSN(sse4_int_pextrb_m, "pextrb [rsi+3], xmm1, 14")
AVX_INSN(sse4_int_pextrw_r, "pextrw eax, xmm1, 6")
AVX_INSN(sse4_int_pextrw_m, "pextrw [rsi+1], xmm2, 3")
AVX_INSN(sse4_int_pextrd_r, "pextrd eax, xmm1, 3")
AVX_INSN(sse4_int_pextrd_m, "pextrd [rsi+5], xmm2, 1")
AVX_INSN(sse4_int_pextrq_r, "pextrq rax, xmm1, 1")
AVX_INSN(sse4_int_pextrq_m, "pextrq [rsi+9], xmm2, 0")
AVX_INSN(sse4_int_extractps_r, "extractps eax, xmm1, 2")
AVX_INSN(sse4_int_extractps_m, "extractps [rsi+4], xmm1, 1")
AVX_INSN(sse4_int_pinsrb_r, "pinsrb xmm0, eax, 7")
AVX_INSN(sse4_int_pinsrb_m, "pinsrb xmm0, [rsi+5], 15")
AVX_INSN(sse4_int_pinsrd_r, "pinsrd xmm0, ecx, 2")
AVX_INSN(sse4_int_pinsrd_m, "pinsrd xmm1, [rsi+3], 3")
AVX_INSN(sse4_int_pinsrq_r, "pinsrq xmm0, rcx, 1")
AVX_INSN(sse4_int_pinsrq_m, "pinsrq xmm2, [rsi+1], 0")
AVX_INSN(sse4_int_insertps_r, "insertps xmm0, xmm1, 0x9c")
AVX_INSN(sse4_int_insertps_r2, "insertps xmm0, xmm1, 0x70")
AVX_INSN(sse4_int_insertps_m, "insertps xmm0, [rsi+4], 0xf1")
AVX_INSN(sse4_int_ptest_r, "ptest xmm1, xmm2")
AVX_INSN(sse4_int_ptest_same, "ptest xmm1, xmm1")
AVX_INSN(sse4_int_ptest_m, "ptest xmm0, [rsi+16]")
AVX_INSN(sse4_int_movntdqa_m, "movntdqa xmm1, [rsi+16]")
AVX_INSN(sse4_int_pcmpistri_00, "pcmpistri xmm1, xmm2, 0x00")
AVX_INSN(sse4_int_pcmpestri_00, "mov rdx, rcx\n pcmpestri xmm1, xmm2, 0x00")
AVX_INSN(sse4_int_pcmpistrm_00, "pcmpistrm xmm1, xmm2, 0x00")
AVX_INSN(sse4_int_pcmpestrm_00, "mov rdx, rcx\n pcmpestrm xmm2, xmm1, 0x00")
AVX_INSN(sse4_int_pcmpistri_04, "pcmpistri xmm1, xmm2, 0x04")
AVX_INSN(sse4_int_pcmpestri_04, "mov rdx, rcx\n pcmpestri xmm1, xmm2, 0x04")
AVX_INSN(sse4_int_pcmpistrm_04, "pcmpistrm xmm1, xmm2, 0x04")
AVX_INSN(sse4_int_pcmpestrm_04, "mov rdx, rcx\n pcmpestrm xmm2, xmm1, 0x04")
AVX_INSN(sse4_int_pcmpistri_08, "pcmpistri xmm1, xmm2, 0x08")
AVX_INSN(sse4_int_pcmpestri_08, "mov rdx, rcx\n pcmpestri xmm1, xmm2, 0x08")
AVX_INSN(sse4_int_pcmpistrm_08, "pcmpistrm xmm1, xmm2, 0x08")
AVX_INSN(sse4_int_pcmpestrm_08, "mov rdx, rcx\n pcmpestrm xmm2, xmm1, 0x08")
AVX_INSN(sse4_int_pcmpistri_0c, "pcmpistri xmm1, xmm2, 0x0c")
AVX_INSN(sse4_int_pcmpestri_0c, "mov rdx, rcx\n pcmpestri xmm1, xmm2, 0x0c")
AVX_INSN(sse4_int_pcmpistrm_0c, "pcmpistrm xmm1, xmm2, 0x0c")
AVX_INSN(sse4_int_pcmpestrm_0c, "mov rdx, rcx\n pcmpestrm xmm2, xmm1, 0x0c")
AVX_INSN(sse4_int_pcmpistri_01, "pcmpistri xmm1, xmm2, 0x01")
AVX_INSN(sse4_int_pcmpestri_01, "mov rdx, rcx\n pcmpestri xmm1, xmm2, 0x01")
AVX_INSN(sse4_int_pcmpistrm_01, "pcmpistrm xmm1, xmm2, 0x01")
AVX_INSN(sse4_int_pcmpestrm_01, "mov rdx, rcx\n pcmpestrm xmm2, xmm1, 0x01")
AVX_INSN(sse4_int_pcmpistri_0d, "pcmpistri xmm1, xmm2, 0x0d")
AVX_INSN(sse4_int_pcmpestri_0d, "mov rdx, rcx\n pcmpestri xmm1, xmm2, 0x0d")
AVX_INSN(sse4_int_pcmpistrm_0d, "pcmpistrm xmm1, xmm2, 0x0d")
AVX_INSN(sse4_int_pcmpestrm_0d, "mov rdx, rcx\n pcmpestrm xmm2, xmm1, 0x0d")
AVX_INSN(sse4_int_pcmpistri_14, "pcmpistri xmm1, xmm2, 0x14")
AVX_INSN(sse4_int_pcmpestri_14, "mov rdx, rcx\n pcmpestri xmm1, xmm2, 0x14")
AVX_INSN(sse4_int_pcmpistrm_14, "pcmpistrm xmm1, xmm2, 0x14")
AVX_INSN(sse4_int_pcmpestrm_14, "mov rdx, rcx\n pcmpestrm xmm2, xmm1, 0x14")
AVX_INSN(sse4_int_pcmpistri_18, "pcmpistri xmm1, xmm2, 0x18")
AVX_INSN(sse4_int_pcmpestri_18, "mov rdx, rcx\n pcmpestri xmm1, xmm2, 0x18")
AVX_INSN(sse4_int_pcmpistrm_18, "pcmpistrm xmm1, xmm2, 0x18")
AVX_INSN(sse4_int_pcmpestrm_18, "mov rdx, rcx\n pcmpestrm xmm2, xmm1, 0x18")
AVX_INSN(sse4_int_pcmpistri_1a, "pcmpistri xmm1, xmm2, 0x1a")
AVX_INSN(sse4_int_pcmpestri_1a, "mov rdx, rcx\n pcmpestri xmm1, xmm2, 0x1a")
AVX_INSN(sse4_int_pcmpistrm_1a, "pcmpistrm xmm1, xmm2, 0x1a")
AVX_INSN(sse4_int_pcmpestrm_1a, "mov rdx, rcx\n pcmpestrm xmm2, xmm1, 0x1a")
AVX_INSN(sse4_int_pcmpistri_2c, "pcmpistri xmm1, xmm2, 0x2c")
AVX_INSN(sse4_int_pcmpestri_2c, "mov rdx, rcx\n pcmpestri xmm1, xmm2, 0x2c")
AVX_INSN(sse4_int_pcmpistrm_2c, "pcmpistrm xmm1, xmm2, 0x2c")
AVX_INSN(sse4_int_pcmpestrm_2c, "mov rdx, rcx\n pcmpestrm xmm2, xmm1, 0x2c")
AVX_INSN(sse4_int_pcmpistri_3a, "pcmpistri xmm1, xmm2, 0x3a")
AVX_INSN(sse4_int_pcmpestri_3a, "mov rdx, rcx\n pcmpestri xmm1, xmm2, 0x3a")
AVX_INSN(sse4_int_pcmpistrm_3a, "pcmpistrm xmm1, xmm2, 0x3a")
AVX_INSN(sse4_int_pcmpestrm_3a, "mov rdx, rcx\n pcmpestrm xmm2, xmm1, 0x3a")
AVX_INSN(sse4_int_pcmpistri_40, "pcmpistri xmm1, xmm2, 0x40")
AVX_INSN(sse4_int_pcmpestri_40, "mov rdx, rcx\n pcmpestri xmm1, xmm2, 0x40")
AVX_INSN(sse4_int_pcmpistrm_40, "pcmpistrm xmm1, xmm2, 0x40")
AVX_INSN(sse4_int_pcmpestrm_40, "mov rdx, rcx\n pcmpestrm xmm2, xmm1, 0x40")
AVX_INSN(sse4_int_pcmpistri_44, "pcmpistri xmm1, xmm2, 0x44")
AVX_INSN(sse4_int_pcmpestri_44, "mov rdx, rcx\n pcmpestri xmm1, xmm2, 0x44")
AVX_INSN(sse4_int_pcmpistrm_44, "pcmpistrm xmm1, xmm2, 0x44")
AVX_INSN(sse4_int_pcmpestrm_44, "mov rdx, rcx\n pcmpestrm xmm2, xmm1, 0x44")
AVX_INSN(sse4_int_pcmpistri_4c, "pcmpistri xmm1, xmm2, 0x4c")
AVX_INSN(sse4_int_pcmpestri_4c, "mov rdx, rcx\n pcmpestri xmm1, xmm2, 0x4c")
AVX_INSN(sse4_int_pcmpistrm_4c, "pcmpistrm xmm1, xmm2, 0x4c")
AVX_INSN(sse4_int_pcmpestrm_4c, "mov rdx, rcx\n pcmpestrm xmm2, xmm1, 0x4c")
AVX_INSN(sse4_int_pcmpistri_70, "pcmpistri xmm1, xmm2, 0x70")
AVX_INSN(sse4_int_pcmpestri_70, "mov rdx, rcx\n pcmpestri xmm1, xmm2, 0x70")
AVX_INSN(sse4_int_pcmpistrm_70, "pcmpistrm xmm1, xmm2, 0x70")
AVX_INSN(sse4_int_pcmpestrm_70, "mov rdx, rcx\n pcmpestrm xmm2, xmm1, 0x70")
AVX_INSN(sse4_int_pcmpistri_7f, "pcmpistri xmm1, xmm2, 0x7f")
AVX_INSN(sse4_int_pcmpestri_7f, "mov rdx, rcx\n pcmpestri xmm1, xmm2, 0x7f")
AVX_INSN(sse4_int_pcmpistrm_7f, "pcmpistrm xmm1, xmm2, 0x7f")
AVX_INSN(sse4_int_pcmpestrm_7f, "mov rdx, rcx\n pcmpestrm xmm2, xmm1, 0x7f")
AVX_INSN(sse4_int_pcmpistri_m, "pcmpistri xmm1, [rsi+3], 0x08")
AVX_INSN(sse4_int_pcmpestrm_m, "mov edx, 9\n pcmpestrm xmm2, [rsi+1], 0x44")
AVX_INSN(sse4_int_crc32_b, "crc32 eax, cl")
AVX_INSN(sse4_int_crc32_w, "crc32 eax, cx")
AVX_INSN(sse4_int_crc32_d, "crc32 eax, ecx")
AVX_INSN(sse4_int_crc32_q, "crc32 rax, rcx")
AVX_INSN(sse4_int_crc32_qb, "crc32 rcx, al")
AVX_INSN(sse4_int_crc32_mb, "crc32 eax, byte ptr [rsi+1]")
AVX_INSN(sse4_int_crc32_mw, "crc32 ecx, word ptr [rsi+3]")
AVX_INSN(sse4_int_crc32_md, "crc32 rax, qword ptr [rsi+5]")
AVX_INSN(sse4_int_popcnt_d, "popcnt eax, ecx")
AVX_INSN(sse4_int_popcnt_q, "popcnt rcx, rax")
AVX_INSN(sse4_int_popcnt_mw, "popcnt ax, word ptr [rsi+1]")

const AvxCase kIntCases[] = {
    AVX_CASE(sse4_int_movsldup_r),
    AVX_CASE(sse4_int_movsldup_m),
    AVX_CASE(sse4_int_movshdup_r),
    AVX_CASE(sse4_int_movshdup_m),
    AVX_CASE(sse4_int_movddup_r),
    AVX_CASE(sse4_int_movddup_m),
    AVX_CASE(sse4_int_lddqu_m),
    AVX_CASE(sse4_int_pshufb_r),
    AVX_CASE(sse4_int_pshufb_m),
    AVX_CASE(sse4_int_pabsb_r),
    AVX_CASE(sse4_int_pabsb_m),
    AVX_CASE(sse4_int_pabsw_r),
    AVX_CASE(sse4_int_pabsw_m),
    AVX_CASE(sse4_int_pabsd_r),
    AVX_CASE(sse4_int_pabsd_m),
    AVX_CASE(sse4_int_psignb_r),
    AVX_CASE(sse4_int_psignb_m),
    AVX_CASE(sse4_int_psignw_r),
    AVX_CASE(sse4_int_psignw_m),
    AVX_CASE(sse4_int_psignd_r),
    AVX_CASE(sse4_int_psignd_m),
    AVX_CASE(sse4_int_phaddw_r),
    AVX_CASE(sse4_int_phaddw_m),
    AVX_CASE(sse4_int_phaddd_r),
    AVX_CASE(sse4_int_phaddd_m),
    AVX_CASE(sse4_int_phaddsw_r),
    AVX_CASE(sse4_int_phaddsw_m),
    AVX_CASE(sse4_int_phsubw_r),
    AVX_CASE(sse4_int_phsubw_m),
    AVX_CASE(sse4_int_phsubd_r),
    AVX_CASE(sse4_int_phsubd_m),
    AVX_CASE(sse4_int_phsubsw_r),
    AVX_CASE(sse4_int_phsubsw_m),
    AVX_CASE(sse4_int_pmaddubsw_r),
    AVX_CASE(sse4_int_pmaddubsw_m),
    AVX_CASE(sse4_int_pmulhrsw_r),
    AVX_CASE(sse4_int_pmulhrsw_m),
    AVX_CASE(sse4_int_palignr_0),
    AVX_CASE(sse4_int_palignr_5),
    AVX_CASE(sse4_int_palignr_15),
    AVX_CASE(sse4_int_palignr_16),
    AVX_CASE(sse4_int_palignr_17),
    AVX_CASE(sse4_int_palignr_31),
    AVX_CASE(sse4_int_palignr_32),
    AVX_CASE(sse4_int_palignr_200),
    AVX_CASE(sse4_int_palignr_m),
    AVX_CASE(sse4_int_pminsb_r),
    AVX_CASE(sse4_int_pminsb_m),
    AVX_CASE(sse4_int_pminsd_r),
    AVX_CASE(sse4_int_pminsd_m),
    AVX_CASE(sse4_int_pminuw_r),
    AVX_CASE(sse4_int_pminuw_m),
    AVX_CASE(sse4_int_pminud_r),
    AVX_CASE(sse4_int_pminud_m),
    AVX_CASE(sse4_int_pmaxsb_r),
    AVX_CASE(sse4_int_pmaxsb_m),
    AVX_CASE(sse4_int_pmaxsd_r),
    AVX_CASE(sse4_int_pmaxsd_m),
    AVX_CASE(sse4_int_pmaxuw_r),
    AVX_CASE(sse4_int_pmaxuw_m),
    AVX_CASE(sse4_int_pmaxud_r),
    AVX_CASE(sse4_int_pmaxud_m),
    AVX_CASE(sse4_int_pmulld_r),
    AVX_CASE(sse4_int_pmulld_m),
    AVX_CASE(sse4_int_pmuldq_r),
    AVX_CASE(sse4_int_pmuldq_m),
    AVX_CASE(sse4_int_pcmpeqq_r),
    AVX_CASE(sse4_int_pcmpeqq_m),
    AVX_CASE(sse4_int_packusdw_r),
    AVX_CASE(sse4_int_packusdw_m),
    AVX_CASE(sse4_int_pcmpgtq_r),
    AVX_CASE(sse4_int_pcmpgtq_m),
    AVX_CASE(sse4_int_pcmpeqq_same),
    AVX_CASE(sse4_int_pblendw_r),
    AVX_CASE(sse4_int_pblendw_m),
    AVX_CASE(sse4_int_pblendvb_r),
    AVX_CASE(sse4_int_pblendvb_m),
    AVX_CASE(sse4_int_blendvps_r),
    AVX_CASE(sse4_int_blendvps_m),
    AVX_CASE(sse4_int_blendvpd_r),
    AVX_CASE(sse4_int_blendvpd_m),
    AVX_CASE(sse4_int_blendps_r),
    AVX_CASE(sse4_int_blendps_m),
    AVX_CASE(sse4_int_blendpd_r),
    AVX_CASE(sse4_int_blendpd_m),
    AVX_CASE(sse4_int_phminposuw_r),
    AVX_CASE(sse4_int_phminposuw_m),
    AVX_CASE(sse4_int_phminposuw_same),
    AVX_CASE(sse4_int_mpsadbw_0),
    AVX_CASE(sse4_int_mpsadbw_1),
    AVX_CASE(sse4_int_mpsadbw_2),
    AVX_CASE(sse4_int_mpsadbw_3),
    AVX_CASE(sse4_int_mpsadbw_4),
    AVX_CASE(sse4_int_mpsadbw_5),
    AVX_CASE(sse4_int_mpsadbw_6),
    AVX_CASE(sse4_int_mpsadbw_7),
    AVX_CASE(sse4_int_mpsadbw_m),
    AVX_CASE(sse4_int_pmovzxbw_r),
    AVX_CASE(sse4_int_pmovsxbw_r),
    AVX_CASE(sse4_int_pmovzxbw_m),
    AVX_CASE(sse4_int_pmovsxbw_m),
    AVX_CASE(sse4_int_pmovzxbd_r),
    AVX_CASE(sse4_int_pmovsxbd_r),
    AVX_CASE(sse4_int_pmovzxbd_m),
    AVX_CASE(sse4_int_pmovsxbd_m),
    AVX_CASE(sse4_int_pmovzxbq_r),
    AVX_CASE(sse4_int_pmovsxbq_r),
    AVX_CASE(sse4_int_pmovzxbq_m),
    AVX_CASE(sse4_int_pmovsxbq_m),
    AVX_CASE(sse4_int_pmovzxwd_r),
    AVX_CASE(sse4_int_pmovsxwd_r),
    AVX_CASE(sse4_int_pmovzxwd_m),
    AVX_CASE(sse4_int_pmovsxwd_m),
    AVX_CASE(sse4_int_pmovzxwq_r),
    AVX_CASE(sse4_int_pmovsxwq_r),
    AVX_CASE(sse4_int_pmovzxwq_m),
    AVX_CASE(sse4_int_pmovsxwq_m),
    AVX_CASE(sse4_int_pmovzxdq_r),
    AVX_CASE(sse4_int_pmovsxdq_r),
    AVX_CASE(sse4_int_pmovzxdq_m),
    AVX_CASE(sse4_int_pmovsxdq_m),
    AVX_CASE(sse4_int_pextrb_r),
    AVX_CASE(sse4_int_pextrb_r64),
    AVX_CASE(sse4_int_pextrb_m),
    AVX_CASE(sse4_int_pextrw_r),
    AVX_CASE(sse4_int_pextrw_m),
    AVX_CASE(sse4_int_pextrd_r),
    AVX_CASE(sse4_int_pextrd_m),
    AVX_CASE(sse4_int_pextrq_r),
    AVX_CASE(sse4_int_pextrq_m),
    AVX_CASE(sse4_int_extractps_r),
    AVX_CASE(sse4_int_extractps_m),
    AVX_CASE(sse4_int_pinsrb_r),
    AVX_CASE(sse4_int_pinsrb_m),
    AVX_CASE(sse4_int_pinsrd_r),
    AVX_CASE(sse4_int_pinsrd_m),
    AVX_CASE(sse4_int_pinsrq_r),
    AVX_CASE(sse4_int_pinsrq_m),
    AVX_CASE(sse4_int_insertps_r),
    AVX_CASE(sse4_int_insertps_r2),
    AVX_CASE(sse4_int_insertps_m),
    AVX_CASE(sse4_int_ptest_r),
    AVX_CASE(sse4_int_ptest_same),
    AVX_CASE(sse4_int_ptest_m),
    AVX_CASE(sse4_int_movntdqa_m),
    AVX_CASE(sse4_int_pcmpistri_00),
    AVX_CASE(sse4_int_pcmpestri_00),
    AVX_CASE(sse4_int_pcmpistrm_00),
    AVX_CASE(sse4_int_pcmpestrm_00),
    AVX_CASE(sse4_int_pcmpistri_04),
    AVX_CASE(sse4_int_pcmpestri_04),
    AVX_CASE(sse4_int_pcmpistrm_04),
    AVX_CASE(sse4_int_pcmpestrm_04),
    AVX_CASE(sse4_int_pcmpistri_08),
    AVX_CASE(sse4_int_pcmpestri_08),
    AVX_CASE(sse4_int_pcmpistrm_08),
    AVX_CASE(sse4_int_pcmpestrm_08),
    AVX_CASE(sse4_int_pcmpistri_0c),
    AVX_CASE(sse4_int_pcmpestri_0c),
    AVX_CASE(sse4_int_pcmpistrm_0c),
    AVX_CASE(sse4_int_pcmpestrm_0c),
    AVX_CASE(sse4_int_pcmpistri_01),
    AVX_CASE(sse4_int_pcmpestri_01),
    AVX_CASE(sse4_int_pcmpistrm_01),
    AVX_CASE(sse4_int_pcmpestrm_01),
    AVX_CASE(sse4_int_pcmpistri_0d),
    AVX_CASE(sse4_int_pcmpestri_0d),
    AVX_CASE(sse4_int_pcmpistrm_0d),
    AVX_CASE(sse4_int_pcmpestrm_0d),
    AVX_CASE(sse4_int_pcmpistri_14),
    AVX_CASE(sse4_int_pcmpestri_14),
    AVX_CASE(sse4_int_pcmpistrm_14),
    AVX_CASE(sse4_int_pcmpestrm_14),
    AVX_CASE(sse4_int_pcmpistri_18),
    AVX_CASE(sse4_int_pcmpestri_18),
    AVX_CASE(sse4_int_pcmpistrm_18),
    AVX_CASE(sse4_int_pcmpestrm_18),
    AVX_CASE(sse4_int_pcmpistri_1a),
    AVX_CASE(sse4_int_pcmpestri_1a),
    AVX_CASE(sse4_int_pcmpistrm_1a),
    AVX_CASE(sse4_int_pcmpestrm_1a),
    AVX_CASE(sse4_int_pcmpistri_2c),
    AVX_CASE(sse4_int_pcmpestri_2c),
    AVX_CASE(sse4_int_pcmpistrm_2c),
    AVX_CASE(sse4_int_pcmpestrm_2c),
    AVX_CASE(sse4_int_pcmpistri_3a),
    AVX_CASE(sse4_int_pcmpestri_3a),
    AVX_CASE(sse4_int_pcmpistrm_3a),
    AVX_CASE(sse4_int_pcmpestrm_3a),
    AVX_CASE(sse4_int_pcmpistri_40),
    AVX_CASE(sse4_int_pcmpestri_40),
    AVX_CASE(sse4_int_pcmpistrm_40),
    AVX_CASE(sse4_int_pcmpestrm_40),
    AVX_CASE(sse4_int_pcmpistri_44),
    AVX_CASE(sse4_int_pcmpestri_44),
    AVX_CASE(sse4_int_pcmpistrm_44),
    AVX_CASE(sse4_int_pcmpestrm_44),
    AVX_CASE(sse4_int_pcmpistri_4c),
    AVX_CASE(sse4_int_pcmpestri_4c),
    AVX_CASE(sse4_int_pcmpistrm_4c),
    AVX_CASE(sse4_int_pcmpestrm_4c),
    AVX_CASE(sse4_int_pcmpistri_70),
    AVX_CASE(sse4_int_pcmpestri_70),
    AVX_CASE(sse4_int_pcmpistrm_70),
    AVX_CASE(sse4_int_pcmpestrm_70),
    AVX_CASE(sse4_int_pcmpistri_7f),
    AVX_CASE(sse4_int_pcmpestri_7f),
    AVX_CASE(sse4_int_pcmpistrm_7f),
    AVX_CASE(sse4_int_pcmpestrm_7f),
    AVX_CASE(sse4_int_pcmpistri_m),
    AVX_CASE(sse4_int_pcmpestrm_m),
    AVX_CASE(sse4_int_crc32_b),
    AVX_CASE(sse4_int_crc32_w),
    AVX_CASE(sse4_int_crc32_d),
    AVX_CASE(sse4_int_crc32_q),
    AVX_CASE(sse4_int_crc32_qb),
    AVX_CASE(sse4_int_crc32_mb),
    AVX_CASE(sse4_int_crc32_mw),
    AVX_CASE(sse4_int_crc32_md),
    AVX_CASE(sse4_int_popcnt_d),
    AVX_CASE(sse4_int_popcnt_q),
    AVX_CASE(sse4_int_popcnt_mw),
};

AVX_INSN(sse4_single_addsubps_r, "addsubps xmm0, xmm1")
AVX_INSN(sse4_single_addsubps_m, "addsubps xmm0, [rsi+16]")
AVX_INSN(sse4_single_haddps_r, "haddps xmm0, xmm1")
AVX_INSN(sse4_single_haddps_m, "haddps xmm0, [rsi+16]")
AVX_INSN(sse4_single_hsubps_r, "hsubps xmm0, xmm1")
AVX_INSN(sse4_single_hsubps_m, "hsubps xmm0, [rsi+16]")
AVX_INSN(sse4_single_roundps_0, "roundps xmm0, xmm1, 0")
AVX_INSN(sse4_single_roundss_0, "roundss xmm0, [rsi+4], 0")
AVX_INSN(sse4_single_roundps_1, "roundps xmm0, xmm1, 1")
AVX_INSN(sse4_single_roundss_1, "roundss xmm0, [rsi+4], 1")
AVX_INSN(sse4_single_roundps_2, "roundps xmm0, xmm1, 2")
AVX_INSN(sse4_single_roundss_2, "roundss xmm0, [rsi+4], 2")
AVX_INSN(sse4_single_roundps_3, "roundps xmm0, xmm1, 3")
AVX_INSN(sse4_single_roundss_3, "roundss xmm0, [rsi+4], 3")
AVX_INSN(sse4_single_roundps_4, "roundps xmm0, xmm1, 4")
AVX_INSN(sse4_single_roundss_4, "roundss xmm0, [rsi+4], 4")
AVX_INSN(sse4_single_roundps_5, "roundps xmm0, xmm1, 5")
AVX_INSN(sse4_single_roundss_5, "roundss xmm0, [rsi+4], 5")
AVX_INSN(sse4_single_roundps_6, "roundps xmm0, xmm1, 6")
AVX_INSN(sse4_single_roundss_6, "roundss xmm0, [rsi+4], 6")
AVX_INSN(sse4_single_roundps_7, "roundps xmm0, xmm1, 7")
AVX_INSN(sse4_single_roundss_7, "roundss xmm0, [rsi+4], 7")
AVX_INSN(sse4_single_roundps_8, "roundps xmm0, xmm1, 8")
AVX_INSN(sse4_single_roundss_8, "roundss xmm0, [rsi+4], 8")
AVX_INSN(sse4_single_roundps_9, "roundps xmm0, xmm1, 9")
AVX_INSN(sse4_single_roundss_9, "roundss xmm0, [rsi+4], 9")
AVX_INSN(sse4_single_roundps_10, "roundps xmm0, xmm1, 10")
AVX_INSN(sse4_single_roundss_10, "roundss xmm0, [rsi+4], 10")
AVX_INSN(sse4_single_roundps_11, "roundps xmm0, xmm1, 11")
AVX_INSN(sse4_single_roundss_11, "roundss xmm0, [rsi+4], 11")
AVX_INSN(sse4_single_roundps_12, "roundps xmm0, xmm1, 12")
AVX_INSN(sse4_single_roundss_12, "roundss xmm0, [rsi+4], 12")
AVX_INSN(sse4_single_roundps_13, "roundps xmm0, xmm1, 13")
AVX_INSN(sse4_single_roundss_13, "roundss xmm0, [rsi+4], 13")
AVX_INSN(sse4_single_roundps_14, "roundps xmm0, xmm1, 14")
AVX_INSN(sse4_single_roundss_14, "roundss xmm0, [rsi+4], 14")
AVX_INSN(sse4_single_roundps_15, "roundps xmm0, xmm1, 15")
AVX_INSN(sse4_single_roundss_15, "roundss xmm0, [rsi+4], 15")
AVX_INSN(sse4_single_roundps_m, "roundps xmm2, [rsi+16], 4")
AVX_INSN(sse4_single_dpps_ff, "dpps xmm0, xmm1, 0xff")
AVX_INSN(sse4_single_dpps_31, "dpps xmm0, xmm1, 0x31")
AVX_INSN(sse4_single_dpps_f2, "dpps xmm0, xmm1, 0xf2")
AVX_INSN(sse4_single_dpps_7c, "dpps xmm0, xmm1, 0x7c")
AVX_INSN(sse4_single_dpps_08, "dpps xmm0, xmm1, 0x08")
AVX_INSN(sse4_single_dpps_m, "dpps xmm0, [rsi+16], 0xf3")

const AvxCase kSingleCases[] = {
    AVX_CASE(sse4_single_addsubps_r),
    AVX_CASE(sse4_single_addsubps_m),
    AVX_CASE(sse4_single_haddps_r),
    AVX_CASE(sse4_single_haddps_m),
    AVX_CASE(sse4_single_hsubps_r),
    AVX_CASE(sse4_single_hsubps_m),
    AVX_CASE(sse4_single_roundps_0),
    AVX_CASE(sse4_single_roundss_0),
    AVX_CASE(sse4_single_roundps_1),
    AVX_CASE(sse4_single_roundss_1),
    AVX_CASE(sse4_single_roundps_2),
    AVX_CASE(sse4_single_roundss_2),
    AVX_CASE(sse4_single_roundps_3),
    AVX_CASE(sse4_single_roundss_3),
    AVX_CASE(sse4_single_roundps_4),
    AVX_CASE(sse4_single_roundss_4),
    AVX_CASE(sse4_single_roundps_5),
    AVX_CASE(sse4_single_roundss_5),
    AVX_CASE(sse4_single_roundps_6),
    AVX_CASE(sse4_single_roundss_6),
    AVX_CASE(sse4_single_roundps_7),
    AVX_CASE(sse4_single_roundss_7),
    AVX_CASE(sse4_single_roundps_8),
    AVX_CASE(sse4_single_roundss_8),
    AVX_CASE(sse4_single_roundps_9),
    AVX_CASE(sse4_single_roundss_9),
    AVX_CASE(sse4_single_roundps_10),
    AVX_CASE(sse4_single_roundss_10),
    AVX_CASE(sse4_single_roundps_11),
    AVX_CASE(sse4_single_roundss_11),
    AVX_CASE(sse4_single_roundps_12),
    AVX_CASE(sse4_single_roundss_12),
    AVX_CASE(sse4_single_roundps_13),
    AVX_CASE(sse4_single_roundss_13),
    AVX_CASE(sse4_single_roundps_14),
    AVX_CASE(sse4_single_roundss_14),
    AVX_CASE(sse4_single_roundps_15),
    AVX_CASE(sse4_single_roundss_15),
    AVX_CASE(sse4_single_roundps_m),
    AVX_CASE(sse4_single_dpps_ff),
    AVX_CASE(sse4_single_dpps_31),
    AVX_CASE(sse4_single_dpps_f2),
    AVX_CASE(sse4_single_dpps_7c),
    AVX_CASE(sse4_single_dpps_08),
    AVX_CASE(sse4_single_dpps_m),
};

AVX_INSN(sse4_double_addsubpd_r, "addsubpd xmm0, xmm1")
AVX_INSN(sse4_double_addsubpd_m, "addsubpd xmm0, [rsi+32]")
AVX_INSN(sse4_double_haddpd_r, "haddpd xmm0, xmm1")
AVX_INSN(sse4_double_haddpd_m, "haddpd xmm0, [rsi+32]")
AVX_INSN(sse4_double_hsubpd_r, "hsubpd xmm0, xmm1")
AVX_INSN(sse4_double_hsubpd_m, "hsubpd xmm0, [rsi+32]")
AVX_INSN(sse4_double_roundpd_0, "roundpd xmm0, xmm1, 0")
AVX_INSN(sse4_double_roundsd_0, "roundsd xmm0, xmm2, 0")
AVX_INSN(sse4_double_roundpd_1, "roundpd xmm0, xmm1, 1")
AVX_INSN(sse4_double_roundsd_1, "roundsd xmm0, xmm2, 1")
AVX_INSN(sse4_double_roundpd_2, "roundpd xmm0, xmm1, 2")
AVX_INSN(sse4_double_roundsd_2, "roundsd xmm0, xmm2, 2")
AVX_INSN(sse4_double_roundpd_3, "roundpd xmm0, xmm1, 3")
AVX_INSN(sse4_double_roundsd_3, "roundsd xmm0, xmm2, 3")
AVX_INSN(sse4_double_roundpd_4, "roundpd xmm0, xmm1, 4")
AVX_INSN(sse4_double_roundsd_4, "roundsd xmm0, xmm2, 4")
AVX_INSN(sse4_double_roundpd_5, "roundpd xmm0, xmm1, 5")
AVX_INSN(sse4_double_roundsd_5, "roundsd xmm0, xmm2, 5")
AVX_INSN(sse4_double_roundpd_6, "roundpd xmm0, xmm1, 6")
AVX_INSN(sse4_double_roundsd_6, "roundsd xmm0, xmm2, 6")
AVX_INSN(sse4_double_roundpd_7, "roundpd xmm0, xmm1, 7")
AVX_INSN(sse4_double_roundsd_7, "roundsd xmm0, xmm2, 7")
AVX_INSN(sse4_double_roundpd_8, "roundpd xmm0, xmm1, 8")
AVX_INSN(sse4_double_roundsd_8, "roundsd xmm0, xmm2, 8")
AVX_INSN(sse4_double_roundpd_9, "roundpd xmm0, xmm1, 9")
AVX_INSN(sse4_double_roundsd_9, "roundsd xmm0, xmm2, 9")
AVX_INSN(sse4_double_roundpd_10, "roundpd xmm0, xmm1, 10")
AVX_INSN(sse4_double_roundsd_10, "roundsd xmm0, xmm2, 10")
AVX_INSN(sse4_double_roundpd_11, "roundpd xmm0, xmm1, 11")
AVX_INSN(sse4_double_roundsd_11, "roundsd xmm0, xmm2, 11")
AVX_INSN(sse4_double_roundpd_12, "roundpd xmm0, xmm1, 12")
AVX_INSN(sse4_double_roundsd_12, "roundsd xmm0, xmm2, 12")
AVX_INSN(sse4_double_roundpd_13, "roundpd xmm0, xmm1, 13")
AVX_INSN(sse4_double_roundsd_13, "roundsd xmm0, xmm2, 13")
AVX_INSN(sse4_double_roundpd_14, "roundpd xmm0, xmm1, 14")
AVX_INSN(sse4_double_roundsd_14, "roundsd xmm0, xmm2, 14")
AVX_INSN(sse4_double_roundpd_15, "roundpd xmm0, xmm1, 15")
AVX_INSN(sse4_double_roundsd_15, "roundsd xmm0, xmm2, 15")
AVX_INSN(sse4_double_roundpd_m, "roundpd xmm2, [rsi+32], 1")
AVX_INSN(sse4_double_dppd_33, "dppd xmm0, xmm1, 0x33")
AVX_INSN(sse4_double_dppd_31, "dppd xmm0, xmm1, 0x31")
AVX_INSN(sse4_double_dppd_12, "dppd xmm0, xmm1, 0x12")
AVX_INSN(sse4_double_dppd_20, "dppd xmm0, xmm1, 0x20")
AVX_INSN(sse4_double_dppd_m, "dppd xmm1, [rsi], 0x31")

const AvxCase kDoubleCases[] = {
    AVX_CASE(sse4_double_addsubpd_r),
    AVX_CASE(sse4_double_addsubpd_m),
    AVX_CASE(sse4_double_haddpd_r),
    AVX_CASE(sse4_double_haddpd_m),
    AVX_CASE(sse4_double_hsubpd_r),
    AVX_CASE(sse4_double_hsubpd_m),
    AVX_CASE(sse4_double_roundpd_0),
    AVX_CASE(sse4_double_roundsd_0),
    AVX_CASE(sse4_double_roundpd_1),
    AVX_CASE(sse4_double_roundsd_1),
    AVX_CASE(sse4_double_roundpd_2),
    AVX_CASE(sse4_double_roundsd_2),
    AVX_CASE(sse4_double_roundpd_3),
    AVX_CASE(sse4_double_roundsd_3),
    AVX_CASE(sse4_double_roundpd_4),
    AVX_CASE(sse4_double_roundsd_4),
    AVX_CASE(sse4_double_roundpd_5),
    AVX_CASE(sse4_double_roundsd_5),
    AVX_CASE(sse4_double_roundpd_6),
    AVX_CASE(sse4_double_roundsd_6),
    AVX_CASE(sse4_double_roundpd_7),
    AVX_CASE(sse4_double_roundsd_7),
    AVX_CASE(sse4_double_roundpd_8),
    AVX_CASE(sse4_double_roundsd_8),
    AVX_CASE(sse4_double_roundpd_9),
    AVX_CASE(sse4_double_roundsd_9),
    AVX_CASE(sse4_double_roundpd_10),
    AVX_CASE(sse4_double_roundsd_10),
    AVX_CASE(sse4_double_roundpd_11),
    AVX_CASE(sse4_double_roundsd_11),
    AVX_CASE(sse4_double_roundpd_12),
    AVX_CASE(sse4_double_roundsd_12),
    AVX_CASE(sse4_double_roundpd_13),
    AVX_CASE(sse4_double_roundsd_13),
    AVX_CASE(sse4_double_roundpd_14),
    AVX_CASE(sse4_double_roundsd_14),
    AVX_CASE(sse4_double_roundpd_15),
    AVX_CASE(sse4_double_roundsd_15),
    AVX_CASE(sse4_double_roundpd_m),
    AVX_CASE(sse4_double_dppd_33),
    AVX_CASE(sse4_double_dppd_31),
    AVX_CASE(sse4_double_dppd_12),
    AVX_CASE(sse4_double_dppd_20),
    AVX_CASE(sse4_double_dppd_m),
};

SIMD_INSN(sse4_mmx_pshufb_mm, "pshufb mm0, mm1")
SIMD_INSN(sse4_mmx_pshufb_mmm, "pshufb mm1, [rsi+3]")
SIMD_INSN(sse4_mmx_pshufb_x, "pshufb xmm0, xmm1")
SIMD_INSN(sse4_mmx_pabsb_mm, "pabsb mm0, mm1")
SIMD_INSN(sse4_mmx_pabsb_mmm, "pabsb mm1, [rsi+3]")
SIMD_INSN(sse4_mmx_pabsb_x, "pabsb xmm0, xmm1")
SIMD_INSN(sse4_mmx_pabsw_mm, "pabsw mm0, mm1")
SIMD_INSN(sse4_mmx_pabsw_mmm, "pabsw mm1, [rsi+3]")
SIMD_INSN(sse4_mmx_pabsw_x, "pabsw xmm0, xmm1")
SIMD_INSN(sse4_mmx_pabsd_mm, "pabsd mm0, mm1")
SIMD_INSN(sse4_mmx_pabsd_mmm, "pabsd mm1, [rsi+3]")
SIMD_INSN(sse4_mmx_pabsd_x, "pabsd xmm0, xmm1")
SIMD_INSN(sse4_mmx_psignb_mm, "psignb mm0, mm1")
SIMD_INSN(sse4_mmx_psignb_mmm, "psignb mm1, [rsi+3]")
SIMD_INSN(sse4_mmx_psignb_x, "psignb xmm0, xmm1")
SIMD_INSN(sse4_mmx_psignw_mm, "psignw mm0, mm1")
SIMD_INSN(sse4_mmx_psignw_mmm, "psignw mm1, [rsi+3]")
SIMD_INSN(sse4_mmx_psignw_x, "psignw xmm0, xmm1")
SIMD_INSN(sse4_mmx_psignd_mm, "psignd mm0, mm1")
SIMD_INSN(sse4_mmx_psignd_mmm, "psignd mm1, [rsi+3]")
SIMD_INSN(sse4_mmx_psignd_x, "psignd xmm0, xmm1")
SIMD_INSN(sse4_mmx_phaddw_mm, "phaddw mm0, mm1")
SIMD_INSN(sse4_mmx_phaddw_mmm, "phaddw mm1, [rsi+3]")
SIMD_INSN(sse4_mmx_phaddw_x, "phaddw xmm0, xmm1")
SIMD_INSN(sse4_mmx_phaddd_mm, "phaddd mm0, mm1")
SIMD_INSN(sse4_mmx_phaddd_mmm, "phaddd mm1, [rsi+3]")
SIMD_INSN(sse4_mmx_phaddd_x, "phaddd xmm0, xmm1")
SIMD_INSN(sse4_mmx_phaddsw_mm, "phaddsw mm0, mm1")
SIMD_INSN(sse4_mmx_phaddsw_mmm, "phaddsw mm1, [rsi+3]")
SIMD_INSN(sse4_mmx_phaddsw_x, "phaddsw xmm0, xmm1")
SIMD_INSN(sse4_mmx_phsubw_mm, "phsubw mm0, mm1")
SIMD_INSN(sse4_mmx_phsubw_mmm, "phsubw mm1, [rsi+3]")
SIMD_INSN(sse4_mmx_phsubw_x, "phsubw xmm0, xmm1")
SIMD_INSN(sse4_mmx_phsubd_mm, "phsubd mm0, mm1")
SIMD_INSN(sse4_mmx_phsubd_mmm, "phsubd mm1, [rsi+3]")
SIMD_INSN(sse4_mmx_phsubd_x, "phsubd xmm0, xmm1")
SIMD_INSN(sse4_mmx_phsubsw_mm, "phsubsw mm0, mm1")
SIMD_INSN(sse4_mmx_phsubsw_mmm, "phsubsw mm1, [rsi+3]")
SIMD_INSN(sse4_mmx_phsubsw_x, "phsubsw xmm0, xmm1")
SIMD_INSN(sse4_mmx_pmaddubsw_mm, "pmaddubsw mm0, mm1")
SIMD_INSN(sse4_mmx_pmaddubsw_mmm, "pmaddubsw mm1, [rsi+3]")
SIMD_INSN(sse4_mmx_pmaddubsw_x, "pmaddubsw xmm0, xmm1")
SIMD_INSN(sse4_mmx_pmulhrsw_mm, "pmulhrsw mm0, mm1")
SIMD_INSN(sse4_mmx_pmulhrsw_mmm, "pmulhrsw mm1, [rsi+3]")
SIMD_INSN(sse4_mmx_pmulhrsw_x, "pmulhrsw xmm0, xmm1")
SIMD_INSN(sse4_mmx_palignr_mm_0, "palignr mm0, mm1, 0")
SIMD_INSN(sse4_mmx_palignr_mm_5, "palignr mm0, mm1, 5")
SIMD_INSN(sse4_mmx_palignr_mm_15, "palignr mm0, mm1, 15")
SIMD_INSN(sse4_mmx_palignr_mm_16, "palignr mm0, mm1, 16")
SIMD_INSN(sse4_mmx_palignr_mm_17, "palignr mm0, mm1, 17")
SIMD_INSN(sse4_mmx_palignr_mm_31, "palignr mm0, mm1, 31")
SIMD_INSN(sse4_mmx_palignr_mm_32, "palignr mm0, mm1, 32")
SIMD_INSN(sse4_mmx_palignr_mm_200, "palignr mm0, mm1, 200")
SIMD_INSN(sse4_mmx_palignr_mmm, "palignr mm1, [rsi+5], 3")

const SimdCase kMmxCases[] = {
    SIMD_CASE(sse4_mmx_pshufb_mm),
    SIMD_CASE(sse4_mmx_pshufb_mmm),
    SIMD_CASE(sse4_mmx_pshufb_x),
    SIMD_CASE(sse4_mmx_pabsb_mm),
    SIMD_CASE(sse4_mmx_pabsb_mmm),
    SIMD_CASE(sse4_mmx_pabsb_x),
    SIMD_CASE(sse4_mmx_pabsw_mm),
    SIMD_CASE(sse4_mmx_pabsw_mmm),
    SIMD_CASE(sse4_mmx_pabsw_x),
    SIMD_CASE(sse4_mmx_pabsd_mm),
    SIMD_CASE(sse4_mmx_pabsd_mmm),
    SIMD_CASE(sse4_mmx_pabsd_x),
    SIMD_CASE(sse4_mmx_psignb_mm),
    SIMD_CASE(sse4_mmx_psignb_mmm),
    SIMD_CASE(sse4_mmx_psignb_x),
    SIMD_CASE(sse4_mmx_psignw_mm),
    SIMD_CASE(sse4_mmx_psignw_mmm),
    SIMD_CASE(sse4_mmx_psignw_x),
    SIMD_CASE(sse4_mmx_psignd_mm),
    SIMD_CASE(sse4_mmx_psignd_mmm),
    SIMD_CASE(sse4_mmx_psignd_x),
    SIMD_CASE(sse4_mmx_phaddw_mm),
    SIMD_CASE(sse4_mmx_phaddw_mmm),
    SIMD_CASE(sse4_mmx_phaddw_x),
    SIMD_CASE(sse4_mmx_phaddd_mm),
    SIMD_CASE(sse4_mmx_phaddd_mmm),
    SIMD_CASE(sse4_mmx_phaddd_x),
    SIMD_CASE(sse4_mmx_phaddsw_mm),
    SIMD_CASE(sse4_mmx_phaddsw_mmm),
    SIMD_CASE(sse4_mmx_phaddsw_x),
    SIMD_CASE(sse4_mmx_phsubw_mm),
    SIMD_CASE(sse4_mmx_phsubw_mmm),
    SIMD_CASE(sse4_mmx_phsubw_x),
    SIMD_CASE(sse4_mmx_phsubd_mm),
    SIMD_CASE(sse4_mmx_phsubd_mmm),
    SIMD_CASE(sse4_mmx_phsubd_x),
    SIMD_CASE(sse4_mmx_phsubsw_mm),
    SIMD_CASE(sse4_mmx_phsubsw_mmm),
    SIMD_CASE(sse4_mmx_phsubsw_x),
    SIMD_CASE(sse4_mmx_pmaddubsw_mm),
    SIMD_CASE(sse4_mmx_pmaddubsw_mmm),
    SIMD_CASE(sse4_mmx_pmaddubsw_x),
    SIMD_CASE(sse4_mmx_pmulhrsw_mm),
    SIMD_CASE(sse4_mmx_pmulhrsw_mmm),
    SIMD_CASE(sse4_mmx_pmulhrsw_x),
    SIMD_CASE(sse4_mmx_palignr_mm_0),
    SIMD_CASE(sse4_mmx_palignr_mm_5),
    SIMD_CASE(sse4_mmx_palignr_mm_15),
    SIMD_CASE(sse4_mmx_palignr_mm_16),
    SIMD_CASE(sse4_mmx_palignr_mm_17),
    SIMD_CASE(sse4_mmx_palignr_mm_31),
    SIMD_CASE(sse4_mmx_palignr_mm_32),
    SIMD_CASE(sse4_mmx_palignr_mm_200),
    SIMD_CASE(sse4_mmx_palignr_mmm),
};

TEST(CpuSse4, IntegerAndDataMovementMatchHost) { run_cases(kIntCases, std::size(kIntCases), Values::lanes); }
TEST(CpuSse4, SingleMatchesHost) { run_cases(kSingleCases, std::size(kSingleCases), Values::singles); }
TEST(CpuSse4, DoubleMatchesHost) { run_cases(kDoubleCases, std::size(kDoubleCases), Values::doubles); }

// SSSE3 on MMX registers (and the same mnemonics on XMM, without the YMM view).
TEST(CpuSse4, SsseOnMmxMatchesHost) {
  if (!host_has_avx()) GTEST_SKIP() << "host without SSSE3";
  SimdHarness h;
  h.compare_random(kMmxCases, 5, [](std::mt19937_64& rng) { return a_value(Values::lanes, rng); });
}

GUEST_CODE(sse4_aligned_haddps, "  haddps xmm0, [rsi]\n")
GUEST_CODE(sse4_aligned_movsldup, "  movsldup xmm0, [rsi]\n")
GUEST_CODE(sse4_aligned_pshufb, "  pshufb xmm0, [rsi]\n")
GUEST_CODE(sse4_aligned_pabsb, "  pabsb xmm0, [rsi]\n")
GUEST_CODE(sse4_aligned_palignr, "  palignr xmm0, [rsi], 1\n")
GUEST_CODE(sse4_aligned_pblendvb, "  pblendvb xmm1, [rsi]\n")
GUEST_CODE(sse4_aligned_blendps, "  blendps xmm0, [rsi], 1\n")
GUEST_CODE(sse4_aligned_pminsb, "  pminsb xmm0, [rsi]\n")
GUEST_CODE(sse4_aligned_phminposuw, "  phminposuw xmm0, [rsi]\n")
GUEST_CODE(sse4_aligned_mpsadbw, "  mpsadbw xmm0, [rsi], 0\n")
GUEST_CODE(sse4_aligned_roundps, "  roundps xmm0, [rsi], 0\n")
GUEST_CODE(sse4_aligned_dpps, "  dpps xmm0, [rsi], 0xff\n")
GUEST_CODE(sse4_aligned_ptest, "  ptest xmm0, [rsi]\n")
GUEST_CODE(sse4_aligned_movntdqa, "  movntdqa xmm0, [rsi]\n")
GUEST_CODE(sse4_aligned_pcmpgtq, "  pcmpgtq xmm0, [rsi]\n")
GUEST_CODE(sse4_aligned_packusdw, "  packusdw xmm0, [rsi]\n")
GUEST_CODE(sse4_unaligned_movddup, "  movddup xmm0, [rsi]\n")
GUEST_CODE(sse4_unaligned_lddqu, "  lddqu xmm0, [rsi]\n")
GUEST_CODE(sse4_unaligned_pmovzxbw, "  pmovzxbw xmm0, [rsi]\n")
GUEST_CODE(sse4_unaligned_pmovsxdq, "  pmovsxdq xmm0, [rsi]\n")
GUEST_CODE(sse4_unaligned_roundss, "  roundss xmm0, [rsi], 0\n")
GUEST_CODE(sse4_unaligned_insertps, "  insertps xmm0, [rsi], 0\n")
GUEST_CODE(sse4_unaligned_pinsrd, "  pinsrd xmm0, [rsi], 1\n")
GUEST_CODE(sse4_unaligned_pextrd, "  pextrd [rsi], xmm1, 0\n")
GUEST_CODE(sse4_unaligned_extractps, "  extractps [rsi], xmm1, 2\n")
GUEST_CODE(sse4_unaligned_pcmpistri, "  pcmpistri xmm0, [rsi], 0\n")
GUEST_CODE(sse4_unaligned_pcmpestrm, "  pcmpestrm xmm0, [rsi], 0\n")
GUEST_CODE(sse4_unaligned_pabsb_mmx, "  pabsb mm0, [rsi]\n")
GUEST_CODE(sse4_unaligned_pshufb_mmx, "  pshufb mm0, [rsi]\n")
GUEST_CODE(sse4_unaligned_crc32, "  crc32 eax, dword ptr [rsi]\n")
GUEST_CODE(sse4_pshufb_xmm, "  pshufb xmm0, xmm1\n")
GUEST_CODE(sse4_pshufb_mmx, "  pshufb mm0, mm1\n")
GUEST_CODE(sse4_paddb_mmx, "  paddb mm0, mm1\n")
GUEST_CODE(sse4_ptest, "  ptest xmm0, xmm1\n")
GUEST_CODE(sse4_pcmpistri, "  pcmpistri xmm0, xmm1, 0\n")
GUEST_CODE(sse4_roundps, "  roundps xmm0, xmm1, 0\n")
GUEST_CODE(sse4_haddps, "  haddps xmm0, xmm1\n")
GUEST_CODE(sse4_crc32, "  crc32 eax, ecx\n")

// The packed memory forms of exception types 1, 2 and 4 #GP(0) unless 16-byte
// aligned; type 5 (element-sized or half-register operands), LDDQU, the
// string compares and the MMX forms take any address (Vol. 2A §2.5, and each
// instruction's "Other Exceptions"). The host agrees: a misaligned PTEST
// faults there too.
TEST(CpuSse4, AlignmentRules) {
  AvxHarness h;
  auto at = [&](const std::vector<uint8_t>& code, uint64_t offset) {
    h.load(code);
    h.s().gpr[kRsi] = CpuHarness::kDataAddr + offset;
    h.s().gpr[kRsp] = CpuHarness::kStackTop;
    h.run(100);
    return h.delivered_vector();
  };
  const std::vector<uint8_t> aligned[] = {
      GUEST_BYTES(sse4_aligned_haddps),
      GUEST_BYTES(sse4_aligned_movsldup),
      GUEST_BYTES(sse4_aligned_pshufb),
      GUEST_BYTES(sse4_aligned_pabsb),
      GUEST_BYTES(sse4_aligned_palignr),
      GUEST_BYTES(sse4_aligned_pblendvb),
      GUEST_BYTES(sse4_aligned_blendps),
      GUEST_BYTES(sse4_aligned_pminsb),
      GUEST_BYTES(sse4_aligned_phminposuw),
      GUEST_BYTES(sse4_aligned_mpsadbw),
      GUEST_BYTES(sse4_aligned_roundps),
      GUEST_BYTES(sse4_aligned_dpps),
      GUEST_BYTES(sse4_aligned_ptest),
      GUEST_BYTES(sse4_aligned_movntdqa),
      GUEST_BYTES(sse4_aligned_pcmpgtq),
      GUEST_BYTES(sse4_aligned_packusdw),
  };
  for (const auto& code : aligned) {
    EXPECT_EQ(at(code, 0), -1);
    EXPECT_EQ(at(code, 8), vec::kGP);
    EXPECT_EQ(h.stack(1), CpuHarness::kCodeAddr) << "#GP(0): after the error code, the saved RIP is the instruction's";
  }
  const std::vector<uint8_t> unaligned[] = {
      GUEST_BYTES(sse4_unaligned_movddup),
      GUEST_BYTES(sse4_unaligned_lddqu),
      GUEST_BYTES(sse4_unaligned_pmovzxbw),
      GUEST_BYTES(sse4_unaligned_pmovsxdq),
      GUEST_BYTES(sse4_unaligned_roundss),
      GUEST_BYTES(sse4_unaligned_insertps),
      GUEST_BYTES(sse4_unaligned_pinsrd),
      GUEST_BYTES(sse4_unaligned_pextrd),
      GUEST_BYTES(sse4_unaligned_extractps),
      GUEST_BYTES(sse4_unaligned_pcmpistri),
      GUEST_BYTES(sse4_unaligned_pcmpestrm),
      GUEST_BYTES(sse4_unaligned_pabsb_mmx),
      GUEST_BYTES(sse4_unaligned_pshufb_mmx),
      GUEST_BYTES(sse4_unaligned_crc32),
  };
  for (const auto& code : unaligned) EXPECT_EQ(at(code, 1), -1);
}

// Legacy SSE forms: #UD with CR0.EM or without CR4.OSFXSR, then #NM with
// CR0.TS (Vol. 3A Table 2-2, §13.1.4); the SSSE3 MMX forms likewise, where
// MMX's own instructions ignore CR4.OSFXSR. CRC32 is a general-purpose
// instruction: neither CR0.EM/TS nor CR4.OSFXSR applies.
TEST(CpuSse4, UdAndNmRules) {
  const std::vector<uint8_t> sse[] = {GUEST_BYTES(sse4_pshufb_xmm), GUEST_BYTES(sse4_ptest),
                                      GUEST_BYTES(sse4_pcmpistri), GUEST_BYTES(sse4_roundps),
                                      GUEST_BYTES(sse4_haddps)};
  AvxRegs in{};
  in.mxcsr = 0x1f80;
  for (const auto& code : sse) {
    AvxHarness h;
    EXPECT_EQ(h.exec(code, in), -1);
    h.s().cr0 |= 1u << 3;  // CR0.TS
    EXPECT_EQ(h.exec(code, in), vec::kNM);
    h.s().cr0 |= 1u << 2;  // CR0.EM
    EXPECT_EQ(h.exec(code, in), vec::kUD) << "#UD before #NM";
    h.s().cr0 &= ~(3u << 2);
    h.s().cr4 &= ~(1ull << 9);  // CR4.OSFXSR
    EXPECT_EQ(h.exec(code, in), vec::kUD);
  }
  AvxHarness h;
  EXPECT_EQ(h.exec(GUEST_BYTES(sse4_pshufb_mmx), in), -1);
  h.s().cr0 |= 1u << 3;
  EXPECT_EQ(h.exec(GUEST_BYTES(sse4_pshufb_mmx), in), vec::kNM);
  EXPECT_EQ(h.exec(GUEST_BYTES(sse4_crc32), in), -1);
  h.s().cr0 |= 1u << 2;
  EXPECT_EQ(h.exec(GUEST_BYTES(sse4_pshufb_mmx), in), vec::kUD);
  h.s().cr4 &= ~(1ull << 9);
  EXPECT_EQ(h.exec(GUEST_BYTES(sse4_crc32), in), -1);
  h.s().cr0 &= ~(3u << 2);
  EXPECT_EQ(h.exec(GUEST_BYTES(sse4_pshufb_mmx), in), vec::kUD) << "CR4.OSFXSR = 0";
  EXPECT_EQ(h.exec(GUEST_BYTES(sse4_paddb_mmx), in), -1);
}

uint32_t leaf1_ecx(const std::vector<CpuidEntry>& t) {
  for (const CpuidEntry& e : t)
    if (e.function == 1) return e.ecx;
  return 0;
}

// CPUID.1:ECX offers SSE3 (0), SSSE3 (9), SSE4.1 (19), SSE4.2 (20) and POPCNT
// (23), not MONITOR (3); -cpu can still take each away.
TEST(CpuSse4, CpuidOffersSse3ToSse42) {
  constexpr uint32_t kOffered = (1u << 0) | (1u << 9) | (1u << 19) | (1u << 20) | (1u << 23);
  EXPECT_EQ(leaf1_ecx(emu_supported_cpuid()) & kOffered, kOffered);
  EXPECT_EQ(leaf1_ecx(emu_supported_cpuid()) & (1u << 3), 0u);
  EXPECT_EQ(leaf1_ecx(shape_cpuid(emu_supported_cpuid(), CpuConfig{"max", {}, {}}, nullptr)) & kOffered, kOffered);
  uint32_t shaped = leaf1_ecx(shape_cpuid(emu_supported_cpuid(),
                                          CpuConfig{"max", {{"sse4.2", false}, {"ssse3", false}}, {}}, nullptr));
  EXPECT_EQ(shaped & ((1u << 9) | (1u << 20)), 0u);
  EXPECT_EQ(shaped & ((1u << 0) | (1u << 19)), (1u << 0) | (1u << 19));
}

}  // namespace
}  // namespace nv::test
