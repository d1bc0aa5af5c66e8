// AVX on the software CPU (SDM Vol. 1 ch. 14, Vol. 2A §2.3) against the host
// CPU executing the same bytes: every instruction over random and edge inputs
// compares YMM0-2 in all 256 bits, a 64-byte memory operand, RAX, RCX, MXCSR
// and the arithmetic flags (so VEX.128 zeroing bits 255:128 and legacy SSE
// keeping them are both checked); then the #UD/#NM/#GP/#XM rules and an
// XSAVE/XRSTOR round trip of YMM state.
#include "cpu_avx_compare.h"

#include <gtest/gtest.h>

#include <cstring>
#include <iterator>
#include <vector>

namespace nv::test {
namespace {

AVX_INSN(int_vmovaps_yy, "vmovaps ymm0, ymm1")
AVX_INSN(int_vmovaps_xx, "vmovaps xmm0, xmm1")
AVX_INSN(int_vmovups_ym, "vmovups ymm0, [rsi+4]")
AVX_INSN(int_vmovups_my, "vmovups [rsi+8], ymm1")
AVX_INSN(int_vmovaps_xm, "vmovaps xmm0, [rsi+16]")
AVX_INSN(int_vmovdqa_ym, "vmovdqa ymm0, [rsi]")
AVX_INSN(int_vmovdqu_mx, "vmovdqu [rsi+3], xmm1")
AVX_INSN(int_vmovntps_my, "vmovntps [rsi], ymm1")
AVX_INSN(int_vmovntdq_mx, "vmovntdq [rsi+16], xmm2")
AVX_INSN(int_vlddqu_ym, "vlddqu ymm0, [rsi+5]")
AVX_INSN(int_vmovntdqa_xm, "vmovntdqa xmm0, [rsi]")
AVX_INSN(int_vmovapd_my, "vmovapd [rsi], ymm2")
AVX_INSN(int_vmovss_xxx, "vmovss xmm0, xmm1, xmm2")
AVX_INSN(int_vmovss_xm, "vmovss xmm0, [rsi]")
AVX_INSN(int_vmovss_mx, "vmovss [rsi+4], xmm1")
AVX_INSN(int_vmovsd_xxx, "vmovsd xmm0, xmm1, xmm2")
AVX_INSN(int_vmovsd_xm, "vmovsd xmm0, [rsi]")
AVX_INSN(int_vmovsd_mx, "vmovsd [rsi+8], xmm1")
AVX_INSN(int_vmovd_xr, "vmovd xmm0, eax")
AVX_INSN(int_vmovd_rx, "vmovd eax, xmm1")
AVX_INSN(int_vmovd_mx, "vmovd [rsi], xmm1")
AVX_INSN(int_vmovq_xr, "vmovq xmm0, rcx")
AVX_INSN(int_vmovq_rx, "vmovq rax, xmm1")
AVX_INSN(int_vmovq_xx, "vmovq xmm0, xmm1")
AVX_INSN(int_vmovq_xm, "vmovq xmm0, [rsi]")
AVX_INSN(int_vmovq_mx, "vmovq [rsi], xmm1")
AVX_INSN(int_vmovlps_xxm, "vmovlps xmm0, xmm1, [rsi]")
AVX_INSN(int_vmovhps_xxm, "vmovhps xmm0, xmm1, [rsi]")
AVX_INSN(int_vmovlpd_xxm, "vmovlpd xmm0, xmm1, [rsi]")
AVX_INSN(int_vmovhpd_xxm, "vmovhpd xmm0, xmm1, [rsi]")
AVX_INSN(int_vmovlps_mx, "vmovlps [rsi], xmm1")
AVX_INSN(int_vmovhps_mx, "vmovhps [rsi], xmm1")
AVX_INSN(int_vmovhpd_mx, "vmovhpd [rsi+8], xmm2")
AVX_INSN(int_vmovhlps, "vmovhlps xmm0, xmm1, xmm2")
AVX_INSN(int_vmovlhps, "vmovlhps xmm0, xmm1, xmm2")
AVX_INSN(int_vmovmskps_y, "vmovmskps eax, ymm1")
AVX_INSN(int_vmovmskpd_y, "vmovmskpd ecx, ymm1")
AVX_INSN(int_vmovmskps_x, "vmovmskps eax, xmm2")
AVX_INSN(int_vbroadcastss_y, "vbroadcastss ymm0, [rsi+4]")
AVX_INSN(int_vbroadcastss_x, "vbroadcastss xmm0, [rsi]")
AVX_INSN(int_vbroadcastsd, "vbroadcastsd ymm0, [rsi+8]")
AVX_INSN(int_vbroadcastf128, "vbroadcastf128 ymm0, [rsi+16]")
AVX_INSN(int_vinsertf128_r, "vinsertf128 ymm0, ymm1, xmm2, 1")
AVX_INSN(int_vinsertf128_m, "vinsertf128 ymm0, ymm1, [rsi], 0")
AVX_INSN(int_vextractf128_r, "vextractf128 xmm0, ymm1, 1")
AVX_INSN(int_vextractf128_m, "vextractf128 [rsi], ymm1, 1")
AVX_INSN(int_vperm2f128_20, "vperm2f128 ymm0, ymm1, ymm2, 0x20")
AVX_INSN(int_vperm2f128_31, "vperm2f128 ymm0, ymm1, ymm2, 0x31")
AVX_INSN(int_vperm2f128_88, "vperm2f128 ymm0, ymm1, ymm2, 0x8b")
AVX_INSN(int_vperm2f128_m, "vperm2f128 ymm0, ymm1, [rsi], 0x12")
AVX_INSN(int_vpermilps_v, "vpermilps ymm0, ymm1, ymm2")
AVX_INSN(int_vpermilps_i, "vpermilps ymm0, ymm1, 0x1b")
AVX_INSN(int_vpermilps_m, "vpermilps xmm0, [rsi], 0x4e")
AVX_INSN(int_vpermilpd_v, "vpermilpd ymm0, ymm1, ymm2")
AVX_INSN(int_vpermilpd_i, "vpermilpd ymm0, ymm1, 0x5")
AVX_INSN(int_vpermilpd_vm, "vpermilpd xmm0, xmm1, [rsi]")
AVX_INSN(int_vshufps_y, "vshufps ymm0, ymm1, ymm2, 0x9c")
AVX_INSN(int_vshufpd_y, "vshufpd ymm0, ymm1, ymm2, 0x6")
AVX_INSN(int_vshufps_xm, "vshufps xmm0, xmm1, [rsi+4], 0x1b")
AVX_INSN(int_vunpcklps_y, "vunpcklps ymm0, ymm1, ymm2")
AVX_INSN(int_vunpckhpd_ym, "vunpckhpd ymm0, ymm1, [rsi]")
AVX_INSN(int_vunpckhps_x, "vunpckhps xmm0, xmm1, xmm2")
AVX_INSN(int_vzeroupper, "vzeroupper")
AVX_INSN(int_vzeroall, "vzeroall")
AVX_INSN(int_vandps_y, "vandps ymm0, ymm1, ymm2")
AVX_INSN(int_vandnpd_ym, "vandnpd ymm0, ymm1, [rsi]")
AVX_INSN(int_vorps_y, "vorps ymm0, ymm1, ymm2")
AVX_INSN(int_vxorpd_x, "vxorpd xmm0, xmm1, xmm2")
AVX_INSN(int_vpaddb, "vpaddb xmm0, xmm1, xmm2")
AVX_INSN(int_vpsubusw_m, "vpsubusw xmm0, xmm1, [rsi+1]")
AVX_INSN(int_vpmullw, "vpmullw xmm0, xmm1, xmm2")
AVX_INSN(int_vpmaddwd, "vpmaddwd xmm0, xmm1, xmm2")
AVX_INSN(int_vpsllw_i, "vpsllw xmm0, xmm1, 3")
AVX_INSN(int_vpsrad_x, "vpsrad xmm0, xmm1, xmm2")
AVX_INSN(int_vpsrlq_i, "vpsrlq xmm2, xmm1, 33")
AVX_INSN(int_vpslldq, "vpslldq xmm0, xmm1, 5")
AVX_INSN(int_vpsrldq, "vpsrldq xmm0, xmm2, 11")
AVX_INSN(int_vpshufd, "vpshufd xmm0, xmm1, 0x1b")
AVX_INSN(int_vpshufd_m, "vpshufd xmm0, [rsi+2], 0x4e")
AVX_INSN(int_vpshufhw, "vpshufhw xmm0, xmm1, 0x93")
AVX_INSN(int_vpshuflw, "vpshuflw xmm0, xmm2, 0x39")
AVX_INSN(int_vpunpcklbw, "vpunpcklbw xmm0, xmm1, xmm2")
AVX_INSN(int_vpunpckhqdq, "vpunpckhqdq xmm0, xmm1, xmm2")
AVX_INSN(int_vpacksswb, "vpacksswb xmm0, xmm1, xmm2")
AVX_INSN(int_vpackuswb, "vpackuswb xmm0, xmm1, [rsi]")
AVX_INSN(int_vpcmpgtd, "vpcmpgtd xmm0, xmm1, xmm2")
AVX_INSN(int_vpcmpeqb, "vpcmpeqb xmm0, xmm1, xmm2")
AVX_INSN(int_vpmovmskb, "vpmovmskb eax, xmm1")
AVX_INSN(int_vpextrw, "vpextrw eax, xmm1, 5")
AVX_INSN(int_vpinsrw_r, "vpinsrw xmm0, xmm1, eax, 3")
AVX_INSN(int_vpinsrw_m, "vpinsrw xmm0, xmm1, [rsi], 7")
AVX_INSN(int_vpsadbw, "vpsadbw xmm0, xmm1, xmm2")
AVX_INSN(int_vpavgb, "vpavgb xmm0, xmm1, xmm2")
AVX_INSN(int_vpxor, "vpxor xmm0, xmm1, xmm2")
AVX_INSN(int_vpandn, "vpandn xmm0, xmm1, xmm2")
AVX_INSN(int_vpmulhuw, "vpmulhuw xmm0, xmm1, xmm2")
AVX_INSN(int_vpmuludq, "vpmuludq xmm0, xmm1, xmm2")
AVX_INSN(int_vpminsw, "vpminsw xmm0, xmm1, xmm2")
AVX_INSN(int_vpaddsw, "vpaddsw xmm0, xmm1, xmm2")
AVX_INSN(int_paddb, "paddb xmm0, xmm1")
AVX_INSN(int_movaps, "movaps xmm0, xmm1")
AVX_INSN(int_movss_m, "movss xmm0, [rsi]")
AVX_INSN(int_pshufd, "pshufd xmm0, xmm1, 3")
AVX_INSN(int_unpcklps, "unpcklps xmm0, xmm2")
AVX_INSN(int_movq_x, "movq xmm0, xmm1")
AVX_INSN(int_vstmxcsr, "vstmxcsr [rsi+4]")
AVX_INSN(int_vmovsldup_y, "vmovsldup ymm0, ymm1")
AVX_INSN(int_vmovshdup_xm, "vmovshdup xmm0, [rsi]")
AVX_INSN(int_vmovddup_ym, "vmovddup ymm0, [rsi]")
AVX_INSN(int_vmovddup_xm, "vmovddup xmm0, [rsi+8]")
AVX_INSN(int_vmovddup_xx, "vmovddup xmm0, xmm1")
AVX_INSN(int_vptest_x, "vptest xmm1, xmm2")
AVX_INSN(int_vptest_ym, "vptest ymm1, [rsi]")
AVX_INSN(int_vptest_same, "vptest ymm1, ymm1")
AVX_INSN(int_vtestps_y, "vtestps ymm1, ymm2")
AVX_INSN(int_vtestpd_x, "vtestpd xmm1, xmm2")
AVX_INSN(int_vtestps_same, "vtestps ymm2, ymm2")
AVX_INSN(int_vmaskmovps_load, "vmaskmovps ymm0, ymm1, [rsi]")
AVX_INSN(int_vmaskmovpd_load, "vmaskmovpd xmm0, xmm2, [rsi+8]")
AVX_INSN(int_vmaskmovps_store, "vmaskmovps [rsi], ymm1, ymm2")
AVX_INSN(int_vmaskmovpd_store, "vmaskmovpd [rsi+8], xmm2, xmm0")
AVX_INSN(int_vpshufb, "vpshufb xmm0, xmm1, xmm2")
AVX_INSN(int_vpalignr, "vpalignr xmm0, xmm1, xmm2, 5")
AVX_INSN(int_vpalignr_m, "vpalignr xmm0, xmm1, [rsi+3], 19")
AVX_INSN(int_vpabsb, "vpabsb xmm0, xmm1")
AVX_INSN(int_vpabsw_m, "vpabsw xmm0, [rsi]")
AVX_INSN(int_vpabsd, "vpabsd xmm0, xmm2")
AVX_INSN(int_vpsignb, "vpsignb xmm0, xmm1, xmm2")
AVX_INSN(int_vpsignw, "vpsignw xmm0, xmm1, xmm2")
AVX_INSN(int_vpsignd, "vpsignd xmm0, xmm1, xmm2")
AVX_INSN(int_vphaddw, "vphaddw xmm0, xmm1, xmm2")
AVX_INSN(int_vphaddd, "vphaddd xmm0, xmm1, xmm2")
AVX_INSN(int_vphaddsw, "vphaddsw xmm0, xmm1, xmm2")
AVX_INSN(int_vphsubw, "vphsubw xmm0, xmm1, xmm2")
AVX_INSN(int_vphsubd, "vphsubd xmm0, xmm1, [rsi]")
AVX_INSN(int_vphsubsw, "vphsubsw xmm0, xmm1, xmm2")
AVX_INSN(int_vpmaddubsw, "vpmaddubsw xmm0, xmm1, xmm2")
AVX_INSN(int_vpmulhrsw, "vpmulhrsw xmm0, xmm1, xmm2")
AVX_INSN(int_vpblendw, "vpblendw xmm0, xmm1, xmm2, 0xa5")
AVX_INSN(int_vpminsb, "vpminsb xmm0, xmm1, xmm2")
AVX_INSN(int_vpminsd, "vpminsd xmm0, xmm1, xmm2")
AVX_INSN(int_vpminuw, "vpminuw xmm0, xmm1, xmm2")
AVX_INSN(int_vpminud, "vpminud xmm0, xmm1, xmm2")
AVX_INSN(int_vpmaxsb, "vpmaxsb xmm0, xmm1, xmm2")
AVX_INSN(int_vpmaxsd, "vpmaxsd xmm0, xmm1, xmm2")
AVX_INSN(int_vpmaxuw, "vpmaxuw xmm0, xmm1, xmm2")
AVX_INSN(int_vpmaxud, "vpmaxud xmm0, xmm1, [rsi]")
AVX_INSN(int_vpmulld, "vpmulld xmm0, xmm1, xmm2")
AVX_INSN(int_vpmuldq, "vpmuldq xmm0, xmm1, xmm2")
AVX_INSN(int_vpcmpeqq, "vpcmpeqq xmm0, xmm1, xmm1")
AVX_INSN(int_vpcmpeqq2, "vpcmpeqq xmm0, xmm1, xmm2")
AVX_INSN(int_vpcmpgtq, "vpcmpgtq xmm0, xmm1, xmm2")
AVX_INSN(int_vpackusdw, "vpackusdw xmm0, xmm1, xmm2")
AVX_INSN(int_vphminposuw, "vphminposuw xmm0, xmm1")
AVX_INSN(int_vmpsadbw, "vmpsadbw xmm0, xmm1, xmm2, 5")
AVX_INSN(int_vmpsadbw2, "vmpsadbw xmm0, xmm1, [rsi], 2")
AVX_INSN(int_vpblendvb, "vpblendvb xmm0, xmm1, xmm2, xmm1")
AVX_INSN(int_vblendvps_y, "vblendvps ymm0, ymm1, ymm2, ymm0")
AVX_INSN(int_vblendvpd_ym, "vblendvpd ymm0, ymm1, [rsi], ymm2")
AVX_INSN(int_vblendps_y, "vblendps ymm0, ymm1, ymm2, 0x69")
AVX_INSN(int_vblendpd_y, "vblendpd ymm0, ymm1, ymm2, 0x6")
AVX_INSN(int_vpmovzxbw, "vpmovzxbw xmm0, xmm1")
AVX_INSN(int_vpmovzxbd_m, "vpmovzxbd xmm0, [rsi+1]")
AVX_INSN(int_vpmovzxbq, "vpmovzxbq xmm0, xmm1")
AVX_INSN(int_vpmovzxwd, "vpmovzxwd xmm0, xmm1")
AVX_INSN(int_vpmovzxwq_m, "vpmovzxwq xmm0, [rsi+2]")
AVX_INSN(int_vpmovzxdq, "vpmovzxdq xmm0, xmm2")
AVX_INSN(int_vpmovsxbw_m, "vpmovsxbw xmm0, [rsi+3]")
AVX_INSN(int_vpmovsxbd, "vpmovsxbd xmm0, xmm1")
AVX_INSN(int_vpmovsxbq, "vpmovsxbq xmm0, xmm1")
AVX_INSN(int_vpmovsxwd, "vpmovsxwd xmm0, xmm1")
AVX_INSN(int_vpmovsxwq, "vpmovsxwq xmm0, xmm1")
AVX_INSN(int_vpmovsxdq_m, "vpmovsxdq xmm0, [rsi]")
AVX_INSN(int_vpextrb, "vpextrb eax, xmm1, 13")
AVX_INSN(int_vpextrb_m, "vpextrb [rsi+5], xmm1, 2")
AVX_INSN(int_vpextrd, "vpextrd ecx, xmm1, 3")
AVX_INSN(int_vpextrq, "vpextrq rax, xmm1, 1")
AVX_INSN(int_vpextrq_m, "vpextrq [rsi], xmm2, 0")
AVX_INSN(int_vpextrw_m, "vpextrw [rsi+1], xmm1, 6")
AVX_INSN(int_vextractps, "vextractps eax, xmm1, 2")
AVX_INSN(int_vpinsrb, "vpinsrb xmm0, xmm1, eax, 9")
AVX_INSN(int_vpinsrb_m, "vpinsrb xmm0, xmm1, [rsi+7], 15")
AVX_INSN(int_vpinsrd, "vpinsrd xmm0, xmm1, ecx, 2")
AVX_INSN(int_vpinsrq, "vpinsrq xmm0, xmm2, rax, 1")
AVX_INSN(int_vpinsrq_m, "vpinsrq xmm0, xmm1, [rsi], 0")
AVX_INSN(int_vinsertps, "vinsertps xmm0, xmm1, xmm2, 0x9a")
AVX_INSN(int_vinsertps_m, "vinsertps xmm0, xmm1, [rsi+4], 0xe1")
AVX_INSN(int_vpcmpistri_00, "vpcmpistri xmm1, xmm2, 0x0")
AVX_INSN(int_vpcmpestri_00, "mov rdx, rcx\n vpcmpestri xmm1, xmm2, 0x0")
AVX_INSN(int_vpcmpistri_04, "vpcmpistri xmm1, xmm2, 0x4")
AVX_INSN(int_vpcmpestri_04, "mov rdx, rcx\n vpcmpestri xmm1, xmm2, 0x4")
AVX_INSN(int_vpcmpistri_08, "vpcmpistri xmm1, xmm2, 0x8")
AVX_INSN(int_vpcmpestri_08, "mov rdx, rcx\n vpcmpestri xmm1, xmm2, 0x8")
AVX_INSN(int_vpcmpistri_0c, "vpcmpistri xmm1, xmm2, 0xc")
AVX_INSN(int_vpcmpestri_0c, "mov rdx, rcx\n vpcmpestri xmm1, xmm2, 0xc")
AVX_INSN(int_vpcmpistri_01, "vpcmpistri xmm1, xmm2, 0x1")
AVX_INSN(int_vpcmpestri_01, "mov rdx, rcx\n vpcmpestri xmm1, xmm2, 0x1")
AVX_INSN(int_vpcmpistri_44, "vpcmpistri xmm1, xmm2, 0x44")
AVX_INSN(int_vpcmpestri_44, "mov rdx, rcx\n vpcmpestri xmm1, xmm2, 0x44")
AVX_INSN(int_vpcmpistri_18, "vpcmpistri xmm1, xmm2, 0x18")
AVX_INSN(int_vpcmpestri_18, "mov rdx, rcx\n vpcmpestri xmm1, xmm2, 0x18")
AVX_INSN(int_vpcmpistri_3a, "vpcmpistri xmm1, xmm2, 0x3a")
AVX_INSN(int_vpcmpestri_3a, "mov rdx, rcx\n vpcmpestri xmm1, xmm2, 0x3a")
AVX_INSN(int_vpcmpistri_7c, "vpcmpistri xmm1, xmm2, 0x7c")
AVX_INSN(int_vpcmpestri_7c, "mov rdx, rcx\n vpcmpestri xmm1, xmm2, 0x7c")
AVX_INSN(int_vpcmpistri_42, "vpcmpistri xmm1, xmm2, 0x42")
AVX_INSN(int_vpcmpestri_42, "mov rdx, rcx\n vpcmpestri xmm1, xmm2, 0x42")
AVX_INSN(int_vpcmpistri_0d, "vpcmpistri xmm1, xmm2, 0xd")
AVX_INSN(int_vpcmpestri_0d, "mov rdx, rcx\n vpcmpestri xmm1, xmm2, 0xd")
AVX_INSN(int_vpcmpistri_75, "vpcmpistri xmm1, xmm2, 0x75")
AVX_INSN(int_vpcmpestri_75, "mov rdx, rcx\n vpcmpestri xmm1, xmm2, 0x75")
AVX_INSN(int_vpcmpistrm_00, "vpcmpistrm xmm1, xmm2, 0x0")
AVX_INSN(int_vpcmpestrm_00, "mov rdx, rcx\n vpcmpestrm xmm2, [rsi+1], 0x0")
AVX_INSN(int_vpcmpistrm_40, "vpcmpistrm xmm1, xmm2, 0x40")
AVX_INSN(int_vpcmpestrm_40, "mov rdx, rcx\n vpcmpestrm xmm2, [rsi+1], 0x40")
AVX_INSN(int_vpcmpistrm_0c, "vpcmpistrm xmm1, xmm2, 0xc")
AVX_INSN(int_vpcmpestrm_0c, "mov rdx, rcx\n vpcmpestrm xmm2, [rsi+1], 0xc")
AVX_INSN(int_vpcmpistrm_4d, "vpcmpistrm xmm1, xmm2, 0x4d")
AVX_INSN(int_vpcmpestrm_4d, "mov rdx, rcx\n vpcmpestrm xmm2, [rsi+1], 0x4d")
AVX_INSN(int_vpcmpistrm_18, "vpcmpistrm xmm1, xmm2, 0x18")
AVX_INSN(int_vpcmpestrm_18, "mov rdx, rcx\n vpcmpestrm xmm2, [rsi+1], 0x18")
AVX_INSN(int_vpcmpistrm_7a, "vpcmpistrm xmm1, xmm2, 0x7a")
AVX_INSN(int_vpcmpestrm_7a, "mov rdx, rcx\n vpcmpestrm xmm2, [rsi+1], 0x7a")
// VEX.W = 1: 64-bit lengths (RAX saturates to 16 where EAX would be 5, RDX to 16 where EDX would be 0).
AVX_INSN(int_vpcmpestri_w, "mov rax, 0x100000005\n mov rdx, -0x100000000\n"
                           " .byte 0xc4, 0xe3, 0xf9, 0x61, 0xca, 0x08")
AVX_INSN(int_vpmovsxbq_m, "vpmovsxbq xmm0, [rsi+5]")
const AvxCase kIntCases[] = {
    AVX_CASE(int_vpcmpistri_00),
    AVX_CASE(int_vpcmpestri_00),
    AVX_CASE(int_vpcmpistri_04),
    AVX_CASE(int_vpcmpestri_04),
    AVX_CASE(int_vpcmpistri_08),
    AVX_CASE(int_vpcmpestri_08),
    AVX_CASE(int_vpcmpistri_0c),
    AVX_CASE(int_vpcmpestri_0c),
    AVX_CASE(int_vpcmpistri_01),
    AVX_CASE(int_vpcmpestri_01),
    AVX_CASE(int_vpcmpistri_44),
    AVX_CASE(int_vpcmpestri_44),
    AVX_CASE(int_vpcmpistri_18),
    AVX_CASE(int_vpcmpestri_18),
    AVX_CASE(int_vpcmpistri_3a),
    AVX_CASE(int_vpcmpestri_3a),
    AVX_CASE(int_vpcmpistri_7c),
    AVX_CASE(int_vpcmpestri_7c),
    AVX_CASE(int_vpcmpistri_42),
    AVX_CASE(int_vpcmpestri_42),
    AVX_CASE(int_vpcmpistri_0d),
    AVX_CASE(int_vpcmpestri_0d),
    AVX_CASE(int_vpcmpistri_75),
    AVX_CASE(int_vpcmpestri_75),
    AVX_CASE(int_vpcmpistrm_00),
    AVX_CASE(int_vpcmpestrm_00),
    AVX_CASE(int_vpcmpistrm_40),
    AVX_CASE(int_vpcmpestrm_40),
    AVX_CASE(int_vpcmpistrm_0c),
    AVX_CASE(int_vpcmpestrm_0c),
    AVX_CASE(int_vpcmpistrm_4d),
    AVX_CASE(int_vpcmpestrm_4d),
    AVX_CASE(int_vpcmpistrm_18),
    AVX_CASE(int_vpcmpestrm_18),
    AVX_CASE(int_vpcmpistrm_7a),
    AVX_CASE(int_vpcmpestrm_7a),
    AVX_CASE(int_vpcmpestri_w),
    AVX_CASE(int_vpmovsxbq_m),
    AVX_CASE(int_vpshufb),
    AVX_CASE(int_vpalignr),
    AVX_CASE(int_vpalignr_m),
    AVX_CASE(int_vpabsb),
    AVX_CASE(int_vpabsw_m),
    AVX_CASE(int_vpabsd),
    AVX_CASE(int_vpsignb),
    AVX_CASE(int_vpsignw),
    AVX_CASE(int_vpsignd),
    AVX_CASE(int_vphaddw),
    AVX_CASE(int_vphaddd),
    AVX_CASE(int_vphaddsw),
    AVX_CASE(int_vphsubw),
    AVX_CASE(int_vphsubd),
    AVX_CASE(int_vphsubsw),
    AVX_CASE(int_vpmaddubsw),
    AVX_CASE(int_vpmulhrsw),
    AVX_CASE(int_vpblendw),
    AVX_CASE(int_vpminsb),
    AVX_CASE(int_vpminsd),
    AVX_CASE(int_vpminuw),
    AVX_CASE(int_vpminud),
    AVX_CASE(int_vpmaxsb),
    AVX_CASE(int_vpmaxsd),
    AVX_CASE(int_vpmaxuw),
    AVX_CASE(int_vpmaxud),
    AVX_CASE(int_vpmulld),
    AVX_CASE(int_vpmuldq),
    AVX_CASE(int_vpcmpeqq),
    AVX_CASE(int_vpcmpeqq2),
    AVX_CASE(int_vpcmpgtq),
    AVX_CASE(int_vpackusdw),
    AVX_CASE(int_vphminposuw),
    AVX_CASE(int_vmpsadbw),
    AVX_CASE(int_vmpsadbw2),
    AVX_CASE(int_vpblendvb),
    AVX_CASE(int_vblendvps_y),
    AVX_CASE(int_vblendvpd_ym),
    AVX_CASE(int_vblendps_y),
    AVX_CASE(int_vblendpd_y),
    AVX_CASE(int_vpmovzxbw),
    AVX_CASE(int_vpmovzxbd_m),
    AVX_CASE(int_vpmovzxbq),
    AVX_CASE(int_vpmovzxwd),
    AVX_CASE(int_vpmovzxwq_m),
    AVX_CASE(int_vpmovzxdq),
    AVX_CASE(int_vpmovsxbw_m),
    AVX_CASE(int_vpmovsxbd),
    AVX_CASE(int_vpmovsxbq),
    AVX_CASE(int_vpmovsxwd),
    AVX_CASE(int_vpmovsxwq),
    AVX_CASE(int_vpmovsxdq_m),
    AVX_CASE(int_vpextrb),
    AVX_CASE(int_vpextrb_m),
    AVX_CASE(int_vpextrd),
    AVX_CASE(int_vpextrq),
    AVX_CASE(int_vpextrq_m),
    AVX_CASE(int_vpextrw_m),
    AVX_CASE(int_vextractps),
    AVX_CASE(int_vpinsrb),
    AVX_CASE(int_vpinsrb_m),
    AVX_CASE(int_vpinsrd),
    AVX_CASE(int_vpinsrq),
    AVX_CASE(int_vpinsrq_m),
    AVX_CASE(int_vinsertps),
    AVX_CASE(int_vinsertps_m),
    AVX_CASE(int_vstmxcsr),
    AVX_CASE(int_vmovsldup_y),
    AVX_CASE(int_vmovshdup_xm),
    AVX_CASE(int_vmovddup_ym),
    AVX_CASE(int_vmovddup_xm),
    AVX_CASE(int_vmovddup_xx),
    AVX_CASE(int_vptest_x),
    AVX_CASE(int_vptest_ym),
    AVX_CASE(int_vptest_same),
    AVX_CASE(int_vtestps_y),
    AVX_CASE(int_vtestpd_x),
    AVX_CASE(int_vtestps_same),
    AVX_CASE(int_vmaskmovps_load),
    AVX_CASE(int_vmaskmovpd_load),
    AVX_CASE(int_vmaskmovps_store),
    AVX_CASE(int_vmaskmovpd_store),
    AVX_CASE(int_vmovaps_yy),
    AVX_CASE(int_vmovaps_xx),
    AVX_CASE(int_vmovups_ym),
    AVX_CASE(int_vmovups_my),
    AVX_CASE(int_vmovaps_xm),
    AVX_CASE(int_vmovdqa_ym),
    AVX_CASE(int_vmovdqu_mx),
    AVX_CASE(int_vmovntps_my),
    AVX_CASE(int_vmovntdq_mx),
    AVX_CASE(int_vlddqu_ym),
    AVX_CASE(int_vmovntdqa_xm),
    AVX_CASE(int_vmovapd_my),
    AVX_CASE(int_vmovss_xxx),
    AVX_CASE(int_vmovss_xm),
    AVX_CASE(int_vmovss_mx),
    AVX_CASE(int_vmovsd_xxx),
    AVX_CASE(int_vmovsd_xm),
    AVX_CASE(int_vmovsd_mx),
    AVX_CASE(int_vmovd_xr),
    AVX_CASE(int_vmovd_rx),
    AVX_CASE(int_vmovd_mx),
    AVX_CASE(int_vmovq_xr),
    AVX_CASE(int_vmovq_rx),
    AVX_CASE(int_vmovq_xx),
    AVX_CASE(int_vmovq_xm),
    AVX_CASE(int_vmovq_mx),
    AVX_CASE(int_vmovlps_xxm),
    AVX_CASE(int_vmovhps_xxm),
    AVX_CASE(int_vmovlpd_xxm),
    AVX_CASE(int_vmovhpd_xxm),
    AVX_CASE(int_vmovlps_mx),
    AVX_CASE(int_vmovhps_mx),
    AVX_CASE(int_vmovhpd_mx),
    AVX_CASE(int_vmovhlps),
    AVX_CASE(int_vmovlhps),
    AVX_CASE(int_vmovmskps_y),
    AVX_CASE(int_vmovmskpd_y),
    AVX_CASE(int_vmovmskps_x),
    AVX_CASE(int_vbroadcastss_y),
    AVX_CASE(int_vbroadcastss_x),
    AVX_CASE(int_vbroadcastsd),
    AVX_CASE(int_vbroadcastf128),
    AVX_CASE(int_vinsertf128_r),
    AVX_CASE(int_vinsertf128_m),
    AVX_CASE(int_vextractf128_r),
    AVX_CASE(int_vextractf128_m),
    AVX_CASE(int_vperm2f128_20),
    AVX_CASE(int_vperm2f128_31),
    AVX_CASE(int_vperm2f128_88),
    AVX_CASE(int_vperm2f128_m),
    AVX_CASE(int_vpermilps_v),
    AVX_CASE(int_vpermilps_i),
    AVX_CASE(int_vpermilps_m),
    AVX_CASE(int_vpermilpd_v),
    AVX_CASE(int_vpermilpd_i),
    AVX_CASE(int_vpermilpd_vm),
    AVX_CASE(int_vshufps_y),
    AVX_CASE(int_vshufpd_y),
    AVX_CASE(int_vshufps_xm),
    AVX_CASE(int_vunpcklps_y),
    AVX_CASE(int_vunpckhpd_ym),
    AVX_CASE(int_vunpckhps_x),
    AVX_CASE(int_vzeroupper),
    AVX_CASE(int_vzeroall),
    AVX_CASE(int_vandps_y),
    AVX_CASE(int_vandnpd_ym),
    AVX_CASE(int_vorps_y),
    AVX_CASE(int_vxorpd_x),
    AVX_CASE(int_vpaddb),
    AVX_CASE(int_vpsubusw_m),
    AVX_CASE(int_vpmullw),
    AVX_CASE(int_vpmaddwd),
    AVX_CASE(int_vpsllw_i),
    AVX_CASE(int_vpsrad_x),
    AVX_CASE(int_vpsrlq_i),
    AVX_CASE(int_vpslldq),
    AVX_CASE(int_vpsrldq),
    AVX_CASE(int_vpshufd),
    AVX_CASE(int_vpshufd_m),
    AVX_CASE(int_vpshufhw),
    AVX_CASE(int_vpshuflw),
    AVX_CASE(int_vpunpcklbw),
    AVX_CASE(int_vpunpckhqdq),
    AVX_CASE(int_vpacksswb),
    AVX_CASE(int_vpackuswb),
    AVX_CASE(int_vpcmpgtd),
    AVX_CASE(int_vpcmpeqb),
    AVX_CASE(int_vpmovmskb),
    AVX_CASE(int_vpextrw),
    AVX_CASE(int_vpinsrw_r),
    AVX_CASE(int_vpinsrw_m),
    AVX_CASE(int_vpsadbw),
    AVX_CASE(int_vpavgb),
    AVX_CASE(int_vpxor),
    AVX_CASE(int_vpandn),
    AVX_CASE(int_vpmulhuw),
    AVX_CASE(int_vpmuludq),
    AVX_CASE(int_vpminsw),
    AVX_CASE(int_vpaddsw),
    AVX_CASE(int_paddb),
    AVX_CASE(int_movaps),
    AVX_CASE(int_movss_m),
    AVX_CASE(int_pshufd),
    AVX_CASE(int_unpcklps),
    AVX_CASE(int_movq_x),
};
AVX_INSN(single_vaddps_y, "vaddps ymm0, ymm1, ymm2")
AVX_INSN(single_vaddps_xm, "vaddps xmm0, xmm1, [rsi+4]")
AVX_INSN(single_vaddss, "vaddss xmm0, xmm1, xmm2")
AVX_INSN(single_vaddss_m, "vaddss xmm0, xmm1, [rsi]")
AVX_INSN(single_vsubps_ym, "vsubps ymm0, ymm1, [rsi]")
AVX_INSN(single_vmulps_y, "vmulps ymm0, ymm1, ymm2")
AVX_INSN(single_vdivps_y, "vdivps ymm0, ymm1, ymm2")
AVX_INSN(single_vdivss, "vdivss xmm0, xmm1, xmm2")
AVX_INSN(single_vsqrtps_y, "vsqrtps ymm0, ymm1")
AVX_INSN(single_vsqrtps_m, "vsqrtps ymm0, [rsi]")
AVX_INSN(single_vsqrtss, "vsqrtss xmm0, xmm1, xmm2")
AVX_INSN(single_vminps_y, "vminps ymm0, ymm1, ymm2")
AVX_INSN(single_vmaxps_y, "vmaxps ymm0, ymm1, ymm2")
AVX_INSN(single_vrcpps_y, "vrcpps ymm0, ymm1")
AVX_INSN(single_vrsqrtps_y, "vrsqrtps ymm0, ymm1")
AVX_INSN(single_vrcpss, "vrcpss xmm0, xmm1, xmm2")
AVX_INSN(single_vrsqrtss, "vrsqrtss xmm0, xmm1, xmm2")
AVX_INSN(single_vcomiss, "vcomiss xmm0, xmm1")
AVX_INSN(single_vucomiss_m, "vucomiss xmm0, [rsi]")
AVX_INSN(single_vcvtss2si, "vcvtss2si eax, xmm1")
AVX_INSN(single_vcvttss2si64, "vcvttss2si rax, xmm1")
AVX_INSN(single_vcvtsi2ss, "vcvtsi2ss xmm0, xmm1, eax")
AVX_INSN(single_vcvtsi2ss64, "vcvtsi2ss xmm0, xmm2, rcx")
AVX_INSN(single_vcvtps2pd_y, "vcvtps2pd ymm0, xmm1")
AVX_INSN(single_vcvtps2pd_ym, "vcvtps2pd ymm0, [rsi]")
AVX_INSN(single_vcvtps2pd_x, "vcvtps2pd xmm0, xmm1")
AVX_INSN(single_vcvtdq2ps_y, "vcvtdq2ps ymm0, ymm1")
AVX_INSN(single_vcvtps2dq_y, "vcvtps2dq ymm0, ymm1")
AVX_INSN(single_vcvttps2dq_ym, "vcvttps2dq ymm0, [rsi]")
AVX_INSN(single_vcvtdq2pd_y, "vcvtdq2pd ymm0, xmm1")
AVX_INSN(single_vcvtss2sd, "vcvtss2sd xmm0, xmm1, xmm2")
AVX_INSN(single_vandps_f, "vandps ymm0, ymm1, ymm2")
AVX_INSN(single_vshufps_f, "vshufps ymm0, ymm1, ymm2, 0x4e")
AVX_INSN(single_addps_l, "addps xmm0, xmm1")
AVX_INSN(single_cvtsi2ss_l, "cvtsi2ss xmm0, eax")
AVX_INSN(single_sqrtss_l, "sqrtss xmm0, xmm1")
AVX_INSN(single_vcmpps_0, "vcmpps ymm0, ymm1, ymm2, 0")
AVX_INSN(single_vcmpps_1, "vcmpps ymm0, ymm1, ymm2, 1")
AVX_INSN(single_vcmpps_2, "vcmpps ymm0, ymm1, ymm2, 2")
AVX_INSN(single_vcmpps_3, "vcmpps ymm0, ymm1, ymm2, 3")
AVX_INSN(single_vcmpps_4, "vcmpps ymm0, ymm1, ymm2, 4")
AVX_INSN(single_vcmpps_5, "vcmpps ymm0, ymm1, ymm2, 5")
AVX_INSN(single_vcmpps_6, "vcmpps ymm0, ymm1, ymm2, 6")
AVX_INSN(single_vcmpps_7, "vcmpps ymm0, ymm1, ymm2, 7")
AVX_INSN(single_vcmpps_8, "vcmpps ymm0, ymm1, ymm2, 8")
AVX_INSN(single_vcmpps_9, "vcmpps ymm0, ymm1, ymm2, 9")
AVX_INSN(single_vcmpps_10, "vcmpps ymm0, ymm1, ymm2, 10")
AVX_INSN(single_vcmpps_11, "vcmpps ymm0, ymm1, ymm2, 11")
AVX_INSN(single_vcmpps_12, "vcmpps ymm0, ymm1, ymm2, 12")
AVX_INSN(single_vcmpps_13, "vcmpps ymm0, ymm1, ymm2, 13")
AVX_INSN(single_vcmpps_14, "vcmpps ymm0, ymm1, ymm2, 14")
AVX_INSN(single_vcmpps_15, "vcmpps ymm0, ymm1, ymm2, 15")
AVX_INSN(single_vcmpps_16, "vcmpps ymm0, ymm1, ymm2, 16")
AVX_INSN(single_vcmpps_17, "vcmpps ymm0, ymm1, ymm2, 17")
AVX_INSN(single_vcmpps_18, "vcmpps ymm0, ymm1, ymm2, 18")
AVX_INSN(single_vcmpps_19, "vcmpps ymm0, ymm1, ymm2, 19")
AVX_INSN(single_vcmpps_20, "vcmpps ymm0, ymm1, ymm2, 20")
AVX_INSN(single_vcmpps_21, "vcmpps ymm0, ymm1, ymm2, 21")
AVX_INSN(single_vcmpps_22, "vcmpps ymm0, ymm1, ymm2, 22")
AVX_INSN(single_vcmpps_23, "vcmpps ymm0, ymm1, ymm2, 23")
AVX_INSN(single_vcmpps_24, "vcmpps ymm0, ymm1, ymm2, 24")
AVX_INSN(single_vcmpps_25, "vcmpps ymm0, ymm1, ymm2, 25")
AVX_INSN(single_vcmpps_26, "vcmpps ymm0, ymm1, ymm2, 26")
AVX_INSN(single_vcmpps_27, "vcmpps ymm0, ymm1, ymm2, 27")
AVX_INSN(single_vcmpps_28, "vcmpps ymm0, ymm1, ymm2, 28")
AVX_INSN(single_vcmpps_29, "vcmpps ymm0, ymm1, ymm2, 29")
AVX_INSN(single_vcmpps_30, "vcmpps ymm0, ymm1, ymm2, 30")
AVX_INSN(single_vcmpps_31, "vcmpps ymm0, ymm1, ymm2, 31")
AVX_INSN(single_vcmpss_0, "vcmpss xmm0, xmm1, xmm2, 0")
AVX_INSN(single_vcmpss_1, "vcmpss xmm0, xmm1, xmm2, 1")
AVX_INSN(single_vcmpss_2, "vcmpss xmm0, xmm1, xmm2, 2")
AVX_INSN(single_vcmpss_3, "vcmpss xmm0, xmm1, xmm2, 3")
AVX_INSN(single_vcmpss_4, "vcmpss xmm0, xmm1, xmm2, 4")
AVX_INSN(single_vcmpss_5, "vcmpss xmm0, xmm1, xmm2, 5")
AVX_INSN(single_vcmpss_6, "vcmpss xmm0, xmm1, xmm2, 6")
AVX_INSN(single_vcmpss_7, "vcmpss xmm0, xmm1, xmm2, 7")
AVX_INSN(single_vcmpss_8, "vcmpss xmm0, xmm1, xmm2, 8")
AVX_INSN(single_vcmpss_9, "vcmpss xmm0, xmm1, xmm2, 9")
AVX_INSN(single_vcmpss_10, "vcmpss xmm0, xmm1, xmm2, 10")
AVX_INSN(single_vcmpss_11, "vcmpss xmm0, xmm1, xmm2, 11")
AVX_INSN(single_vcmpss_12, "vcmpss xmm0, xmm1, xmm2, 12")
AVX_INSN(single_vcmpss_13, "vcmpss xmm0, xmm1, xmm2, 13")
AVX_INSN(single_vcmpss_14, "vcmpss xmm0, xmm1, xmm2, 14")
AVX_INSN(single_vcmpss_15, "vcmpss xmm0, xmm1, xmm2, 15")
AVX_INSN(single_vcmpss_16, "vcmpss xmm0, xmm1, xmm2, 16")
AVX_INSN(single_vcmpss_17, "vcmpss xmm0, xmm1, xmm2, 17")
AVX_INSN(single_vcmpss_18, "vcmpss xmm0, xmm1, xmm2, 18")
AVX_INSN(single_vcmpss_19, "vcmpss xmm0, xmm1, xmm2, 19")
AVX_INSN(single_vcmpss_20, "vcmpss xmm0, xmm1, xmm2, 20")
AVX_INSN(single_vcmpss_21, "vcmpss xmm0, xmm1, xmm2, 21")
AVX_INSN(single_vcmpss_22, "vcmpss xmm0, xmm1, xmm2, 22")
AVX_INSN(single_vcmpss_23, "vcmpss xmm0, xmm1, xmm2, 23")
AVX_INSN(single_vcmpss_24, "vcmpss xmm0, xmm1, xmm2, 24")
AVX_INSN(single_vcmpss_25, "vcmpss xmm0, xmm1, xmm2, 25")
AVX_INSN(single_vcmpss_26, "vcmpss xmm0, xmm1, xmm2, 26")
AVX_INSN(single_vcmpss_27, "vcmpss xmm0, xmm1, xmm2, 27")
AVX_INSN(single_vcmpss_28, "vcmpss xmm0, xmm1, xmm2, 28")
AVX_INSN(single_vcmpss_29, "vcmpss xmm0, xmm1, xmm2, 29")
AVX_INSN(single_vcmpss_30, "vcmpss xmm0, xmm1, xmm2, 30")
AVX_INSN(single_vcmpss_31, "vcmpss xmm0, xmm1, xmm2, 31")
AVX_INSN(single_vaddsubps_y, "vaddsubps ymm0, ymm1, ymm2")
AVX_INSN(single_vhaddps_y, "vhaddps ymm0, ymm1, ymm2")
AVX_INSN(single_vhsubps_xm, "vhsubps xmm0, xmm1, [rsi]")
AVX_INSN(single_vroundps_0, "vroundps ymm0, ymm1, 0")
AVX_INSN(single_vroundps_1, "vroundps ymm0, ymm1, 1")
AVX_INSN(single_vroundps_2, "vroundps ymm0, ymm1, 2")
AVX_INSN(single_vroundps_3, "vroundps ymm0, ymm1, 3")
AVX_INSN(single_vroundps_4, "vroundps ymm0, ymm1, 4")
AVX_INSN(single_vroundps_5, "vroundps ymm0, ymm1, 5")
AVX_INSN(single_vroundps_6, "vroundps ymm0, ymm1, 6")
AVX_INSN(single_vroundps_7, "vroundps ymm0, ymm1, 7")
AVX_INSN(single_vroundps_8, "vroundps ymm0, ymm1, 8")
AVX_INSN(single_vroundps_9, "vroundps ymm0, ymm1, 9")
AVX_INSN(single_vroundps_10, "vroundps ymm0, ymm1, 10")
AVX_INSN(single_vroundps_11, "vroundps ymm0, ymm1, 11")
AVX_INSN(single_vroundps_12, "vroundps ymm0, ymm1, 12")
AVX_INSN(single_vroundps_13, "vroundps ymm0, ymm1, 13")
AVX_INSN(single_vroundps_14, "vroundps ymm0, ymm1, 14")
AVX_INSN(single_vroundps_15, "vroundps ymm0, ymm1, 15")
AVX_INSN(single_vroundss, "vroundss xmm0, xmm1, xmm2, 9")
AVX_INSN(single_vroundss_m, "vroundss xmm0, xmm1, [rsi], 4")
AVX_INSN(single_vdpps_ff, "vdpps ymm0, ymm1, ymm2, 0xff")
AVX_INSN(single_vdpps_f1, "vdpps ymm0, ymm1, ymm2, 0xf1")
AVX_INSN(single_vdpps_31, "vdpps ymm0, ymm1, ymm2, 0x31")
AVX_INSN(single_vdpps_a5, "vdpps ymm0, ymm1, ymm2, 0xa5")
AVX_INSN(single_vdpps_5a, "vdpps ymm0, ymm1, ymm2, 0x5a")
AVX_INSN(single_vdpps_00, "vdpps ymm0, ymm1, ymm2, 0x0")
AVX_INSN(single_vdpps_8e, "vdpps ymm0, ymm1, ymm2, 0x8e")
AVX_INSN(single_vdpps_m, "vdpps xmm0, xmm1, [rsi], 0x77")
const AvxCase kSingleCases[] = {
    AVX_CASE(single_vdpps_ff),
    AVX_CASE(single_vdpps_f1),
    AVX_CASE(single_vdpps_31),
    AVX_CASE(single_vdpps_a5),
    AVX_CASE(single_vdpps_5a),
    AVX_CASE(single_vdpps_00),
    AVX_CASE(single_vdpps_8e),
    AVX_CASE(single_vdpps_m),
    AVX_CASE(single_vaddsubps_y),
    AVX_CASE(single_vhaddps_y),
    AVX_CASE(single_vhsubps_xm),
    AVX_CASE(single_vroundps_0),
    AVX_CASE(single_vroundps_1),
    AVX_CASE(single_vroundps_2),
    AVX_CASE(single_vroundps_3),
    AVX_CASE(single_vroundps_4),
    AVX_CASE(single_vroundps_5),
    AVX_CASE(single_vroundps_6),
    AVX_CASE(single_vroundps_7),
    AVX_CASE(single_vroundps_8),
    AVX_CASE(single_vroundps_9),
    AVX_CASE(single_vroundps_10),
    AVX_CASE(single_vroundps_11),
    AVX_CASE(single_vroundps_12),
    AVX_CASE(single_vroundps_13),
    AVX_CASE(single_vroundps_14),
    AVX_CASE(single_vroundps_15),
    AVX_CASE(single_vroundss),
    AVX_CASE(single_vroundss_m),
    AVX_CASE(single_vaddps_y),
    AVX_CASE(single_vaddps_xm),
    AVX_CASE(single_vaddss),
    AVX_CASE(single_vaddss_m),
    AVX_CASE(single_vsubps_ym),
    AVX_CASE(single_vmulps_y),
    AVX_CASE(single_vdivps_y),
    AVX_CASE(single_vdivss),
    AVX_CASE(single_vsqrtps_y),
    AVX_CASE(single_vsqrtps_m),
    AVX_CASE(single_vsqrtss),
    AVX_CASE(single_vminps_y),
    AVX_CASE(single_vmaxps_y),
    AVX_CASE(single_vrcpps_y),
    AVX_CASE(single_vrsqrtps_y),
    AVX_CASE(single_vrcpss),
    AVX_CASE(single_vrsqrtss),
    AVX_CASE(single_vcomiss),
    AVX_CASE(single_vucomiss_m),
    AVX_CASE(single_vcvtss2si),
    AVX_CASE(single_vcvttss2si64),
    AVX_CASE(single_vcvtsi2ss),
    AVX_CASE(single_vcvtsi2ss64),
    AVX_CASE(single_vcvtps2pd_y),
    AVX_CASE(single_vcvtps2pd_ym),
    AVX_CASE(single_vcvtps2pd_x),
    AVX_CASE(single_vcvtdq2ps_y),
    AVX_CASE(single_vcvtps2dq_y),
    AVX_CASE(single_vcvttps2dq_ym),
    AVX_CASE(single_vcvtdq2pd_y),
    AVX_CASE(single_vcvtss2sd),
    AVX_CASE(single_vandps_f),
    AVX_CASE(single_vshufps_f),
    AVX_CASE(single_addps_l),
    AVX_CASE(single_cvtsi2ss_l),
    AVX_CASE(single_sqrtss_l),
    AVX_CASE(single_vcmpps_0),
    AVX_CASE(single_vcmpps_1),
    AVX_CASE(single_vcmpps_2),
    AVX_CASE(single_vcmpps_3),
    AVX_CASE(single_vcmpps_4),
    AVX_CASE(single_vcmpps_5),
    AVX_CASE(single_vcmpps_6),
    AVX_CASE(single_vcmpps_7),
    AVX_CASE(single_vcmpps_8),
    AVX_CASE(single_vcmpps_9),
    AVX_CASE(single_vcmpps_10),
    AVX_CASE(single_vcmpps_11),
    AVX_CASE(single_vcmpps_12),
    AVX_CASE(single_vcmpps_13),
    AVX_CASE(single_vcmpps_14),
    AVX_CASE(single_vcmpps_15),
    AVX_CASE(single_vcmpps_16),
    AVX_CASE(single_vcmpps_17),
    AVX_CASE(single_vcmpps_18),
    AVX_CASE(single_vcmpps_19),
    AVX_CASE(single_vcmpps_20),
    AVX_CASE(single_vcmpps_21),
    AVX_CASE(single_vcmpps_22),
    AVX_CASE(single_vcmpps_23),
    AVX_CASE(single_vcmpps_24),
    AVX_CASE(single_vcmpps_25),
    AVX_CASE(single_vcmpps_26),
    AVX_CASE(single_vcmpps_27),
    AVX_CASE(single_vcmpps_28),
    AVX_CASE(single_vcmpps_29),
    AVX_CASE(single_vcmpps_30),
    AVX_CASE(single_vcmpps_31),
    AVX_CASE(single_vcmpss_0),
    AVX_CASE(single_vcmpss_1),
    AVX_CASE(single_vcmpss_2),
    AVX_CASE(single_vcmpss_3),
    AVX_CASE(single_vcmpss_4),
    AVX_CASE(single_vcmpss_5),
    AVX_CASE(single_vcmpss_6),
    AVX_CASE(single_vcmpss_7),
    AVX_CASE(single_vcmpss_8),
    AVX_CASE(single_vcmpss_9),
    AVX_CASE(single_vcmpss_10),
    AVX_CASE(single_vcmpss_11),
    AVX_CASE(single_vcmpss_12),
    AVX_CASE(single_vcmpss_13),
    AVX_CASE(single_vcmpss_14),
    AVX_CASE(single_vcmpss_15),
    AVX_CASE(single_vcmpss_16),
    AVX_CASE(single_vcmpss_17),
    AVX_CASE(single_vcmpss_18),
    AVX_CASE(single_vcmpss_19),
    AVX_CASE(single_vcmpss_20),
    AVX_CASE(single_vcmpss_21),
    AVX_CASE(single_vcmpss_22),
    AVX_CASE(single_vcmpss_23),
    AVX_CASE(single_vcmpss_24),
    AVX_CASE(single_vcmpss_25),
    AVX_CASE(single_vcmpss_26),
    AVX_CASE(single_vcmpss_27),
    AVX_CASE(single_vcmpss_28),
    AVX_CASE(single_vcmpss_29),
    AVX_CASE(single_vcmpss_30),
    AVX_CASE(single_vcmpss_31),
};
AVX_INSN(double_vaddpd_y, "vaddpd ymm0, ymm1, ymm2")
AVX_INSN(double_vaddsd_m, "vaddsd xmm0, xmm1, [rsi]")
AVX_INSN(double_vsubpd_ym, "vsubpd ymm0, ymm1, [rsi]")
AVX_INSN(double_vmulpd_y, "vmulpd ymm0, ymm1, ymm2")
AVX_INSN(double_vdivpd_y, "vdivpd ymm0, ymm1, ymm2")
AVX_INSN(double_vsqrtpd_y, "vsqrtpd ymm0, ymm1")
AVX_INSN(double_vsqrtsd, "vsqrtsd xmm0, xmm1, xmm2")
AVX_INSN(double_vminpd_y, "vminpd ymm0, ymm1, ymm2")
AVX_INSN(double_vmaxsd, "vmaxsd xmm0, xmm1, xmm2")
AVX_INSN(double_vcomisd, "vcomisd xmm0, xmm1")
AVX_INSN(double_vucomisd, "vucomisd xmm0, xmm1")
AVX_INSN(double_vcvtsd2si64, "vcvtsd2si rax, xmm1")
AVX_INSN(double_vcvttsd2si, "vcvttsd2si ecx, [rsi]")
AVX_INSN(double_vcvtsi2sd64, "vcvtsi2sd xmm0, xmm1, rcx")
AVX_INSN(double_vcvtpd2ps_y, "vcvtpd2ps xmm0, ymm1")
AVX_INSN(double_vcvtpd2ps_ym, "vcvtpd2ps xmm0, ymmword ptr [rsi]")
AVX_INSN(double_vcvtpd2ps_x, "vcvtpd2ps xmm0, xmm1")
AVX_INSN(double_vcvtpd2dq_y, "vcvtpd2dq xmm0, ymm1")
AVX_INSN(double_vcvttpd2dq_y, "vcvttpd2dq xmm0, ymm2")
AVX_INSN(double_vcvttpd2dq_xm, "vcvttpd2dq xmm0, xmmword ptr [rsi]")
AVX_INSN(double_vcvtsd2ss_m, "vcvtsd2ss xmm0, xmm1, [rsi]")
AVX_INSN(double_vshufpd_f, "vshufpd ymm0, ymm1, ymm2, 0xa")
AVX_INSN(double_vunpcklpd_f, "vunpcklpd ymm0, ymm1, ymm2")
AVX_INSN(double_addsd_l, "addsd xmm0, xmm1")
AVX_INSN(double_vcmppd_0, "vcmppd ymm0, ymm1, ymm2, 0")
AVX_INSN(double_vcmppd_1, "vcmppd ymm0, ymm1, ymm2, 1")
AVX_INSN(double_vcmppd_2, "vcmppd ymm0, ymm1, ymm2, 2")
AVX_INSN(double_vcmppd_3, "vcmppd ymm0, ymm1, ymm2, 3")
AVX_INSN(double_vcmppd_4, "vcmppd ymm0, ymm1, ymm2, 4")
AVX_INSN(double_vcmppd_5, "vcmppd ymm0, ymm1, ymm2, 5")
AVX_INSN(double_vcmppd_6, "vcmppd ymm0, ymm1, ymm2, 6")
AVX_INSN(double_vcmppd_7, "vcmppd ymm0, ymm1, ymm2, 7")
AVX_INSN(double_vcmppd_8, "vcmppd ymm0, ymm1, ymm2, 8")
AVX_INSN(double_vcmppd_9, "vcmppd ymm0, ymm1, ymm2, 9")
AVX_INSN(double_vcmppd_10, "vcmppd ymm0, ymm1, ymm2, 10")
AVX_INSN(double_vcmppd_11, "vcmppd ymm0, ymm1, ymm2, 11")
AVX_INSN(double_vcmppd_12, "vcmppd ymm0, ymm1, ymm2, 12")
AVX_INSN(double_vcmppd_13, "vcmppd ymm0, ymm1, ymm2, 13")
AVX_INSN(double_vcmppd_14, "vcmppd ymm0, ymm1, ymm2, 14")
AVX_INSN(double_vcmppd_15, "vcmppd ymm0, ymm1, ymm2, 15")
AVX_INSN(double_vcmppd_16, "vcmppd ymm0, ymm1, ymm2, 16")
AVX_INSN(double_vcmppd_17, "vcmppd ymm0, ymm1, ymm2, 17")
AVX_INSN(double_vcmppd_18, "vcmppd ymm0, ymm1, ymm2, 18")
AVX_INSN(double_vcmppd_19, "vcmppd ymm0, ymm1, ymm2, 19")
AVX_INSN(double_vcmppd_20, "vcmppd ymm0, ymm1, ymm2, 20")
AVX_INSN(double_vcmppd_21, "vcmppd ymm0, ymm1, ymm2, 21")
AVX_INSN(double_vcmppd_22, "vcmppd ymm0, ymm1, ymm2, 22")
AVX_INSN(double_vcmppd_23, "vcmppd ymm0, ymm1, ymm2, 23")
AVX_INSN(double_vcmppd_24, "vcmppd ymm0, ymm1, ymm2, 24")
AVX_INSN(double_vcmppd_25, "vcmppd ymm0, ymm1, ymm2, 25")
AVX_INSN(double_vcmppd_26, "vcmppd ymm0, ymm1, ymm2, 26")
AVX_INSN(double_vcmppd_27, "vcmppd ymm0, ymm1, ymm2, 27")
AVX_INSN(double_vcmppd_28, "vcmppd ymm0, ymm1, ymm2, 28")
AVX_INSN(double_vcmppd_29, "vcmppd ymm0, ymm1, ymm2, 29")
AVX_INSN(double_vcmppd_30, "vcmppd ymm0, ymm1, ymm2, 30")
AVX_INSN(double_vcmppd_31, "vcmppd ymm0, ymm1, ymm2, 31")
AVX_INSN(double_vcmpsd_0, "vcmpsd xmm0, xmm1, [rsi], 0")
AVX_INSN(double_vcmpsd_1, "vcmpsd xmm0, xmm1, [rsi], 1")
AVX_INSN(double_vcmpsd_2, "vcmpsd xmm0, xmm1, [rsi], 2")
AVX_INSN(double_vcmpsd_3, "vcmpsd xmm0, xmm1, [rsi], 3")
AVX_INSN(double_vcmpsd_4, "vcmpsd xmm0, xmm1, [rsi], 4")
AVX_INSN(double_vcmpsd_5, "vcmpsd xmm0, xmm1, [rsi], 5")
AVX_INSN(double_vcmpsd_6, "vcmpsd xmm0, xmm1, [rsi], 6")
AVX_INSN(double_vcmpsd_7, "vcmpsd xmm0, xmm1, [rsi], 7")
AVX_INSN(double_vcmpsd_8, "vcmpsd xmm0, xmm1, [rsi], 8")
AVX_INSN(double_vcmpsd_9, "vcmpsd xmm0, xmm1, [rsi], 9")
AVX_INSN(double_vcmpsd_10, "vcmpsd xmm0, xmm1, [rsi], 10")
AVX_INSN(double_vcmpsd_11, "vcmpsd xmm0, xmm1, [rsi], 11")
AVX_INSN(double_vcmpsd_12, "vcmpsd xmm0, xmm1, [rsi], 12")
AVX_INSN(double_vcmpsd_13, "vcmpsd xmm0, xmm1, [rsi], 13")
AVX_INSN(double_vcmpsd_14, "vcmpsd xmm0, xmm1, [rsi], 14")
AVX_INSN(double_vcmpsd_15, "vcmpsd xmm0, xmm1, [rsi], 15")
AVX_INSN(double_vcmpsd_16, "vcmpsd xmm0, xmm1, [rsi], 16")
AVX_INSN(double_vcmpsd_17, "vcmpsd xmm0, xmm1, [rsi], 17")
AVX_INSN(double_vcmpsd_18, "vcmpsd xmm0, xmm1, [rsi], 18")
AVX_INSN(double_vcmpsd_19, "vcmpsd xmm0, xmm1, [rsi], 19")
AVX_INSN(double_vcmpsd_20, "vcmpsd xmm0, xmm1, [rsi], 20")
AVX_INSN(double_vcmpsd_21, "vcmpsd xmm0, xmm1, [rsi], 21")
AVX_INSN(double_vcmpsd_22, "vcmpsd xmm0, xmm1, [rsi], 22")
AVX_INSN(double_vcmpsd_23, "vcmpsd xmm0, xmm1, [rsi], 23")
AVX_INSN(double_vcmpsd_24, "vcmpsd xmm0, xmm1, [rsi], 24")
AVX_INSN(double_vcmpsd_25, "vcmpsd xmm0, xmm1, [rsi], 25")
AVX_INSN(double_vcmpsd_26, "vcmpsd xmm0, xmm1, [rsi], 26")
AVX_INSN(double_vcmpsd_27, "vcmpsd xmm0, xmm1, [rsi], 27")
AVX_INSN(double_vcmpsd_28, "vcmpsd xmm0, xmm1, [rsi], 28")
AVX_INSN(double_vcmpsd_29, "vcmpsd xmm0, xmm1, [rsi], 29")
AVX_INSN(double_vcmpsd_30, "vcmpsd xmm0, xmm1, [rsi], 30")
AVX_INSN(double_vcmpsd_31, "vcmpsd xmm0, xmm1, [rsi], 31")
AVX_INSN(double_vaddsubpd_y, "vaddsubpd ymm0, ymm1, ymm2")
AVX_INSN(double_vhaddpd_y, "vhaddpd ymm0, ymm1, [rsi]")
AVX_INSN(double_vhsubpd_y, "vhsubpd ymm0, ymm1, ymm2")
AVX_INSN(double_vroundpd_0, "vroundpd ymm0, ymm1, 0")
AVX_INSN(double_vroundpd_1, "vroundpd ymm0, ymm1, 1")
AVX_INSN(double_vroundpd_2, "vroundpd ymm0, ymm1, 2")
AVX_INSN(double_vroundpd_3, "vroundpd ymm0, ymm1, 3")
AVX_INSN(double_vroundpd_4, "vroundpd ymm0, ymm1, 4")
AVX_INSN(double_vroundpd_5, "vroundpd ymm0, ymm1, 5")
AVX_INSN(double_vroundpd_6, "vroundpd ymm0, ymm1, 6")
AVX_INSN(double_vroundpd_7, "vroundpd ymm0, ymm1, 7")
AVX_INSN(double_vroundpd_8, "vroundpd ymm0, ymm1, 8")
AVX_INSN(double_vroundpd_9, "vroundpd ymm0, ymm1, 9")
AVX_INSN(double_vroundpd_10, "vroundpd ymm0, ymm1, 10")
AVX_INSN(double_vroundpd_11, "vroundpd ymm0, ymm1, 11")
AVX_INSN(double_vroundpd_12, "vroundpd ymm0, ymm1, 12")
AVX_INSN(double_vroundpd_13, "vroundpd ymm0, ymm1, 13")
AVX_INSN(double_vroundpd_14, "vroundpd ymm0, ymm1, 14")
AVX_INSN(double_vroundpd_15, "vroundpd ymm0, ymm1, 15")
AVX_INSN(double_vroundsd, "vroundsd xmm0, xmm1, xmm2, 12")
AVX_INSN(double_vroundsd_m, "vroundsd xmm0, xmm1, [rsi], 3")
AVX_INSN(double_vdppd_33, "vdppd xmm0, xmm1, xmm2, 0x33")
AVX_INSN(double_vdppd_31, "vdppd xmm0, xmm1, xmm2, 0x31")
AVX_INSN(double_vdppd_12, "vdppd xmm0, xmm1, xmm2, 0x12")
AVX_INSN(double_vdppd_23, "vdppd xmm0, xmm1, xmm2, 0x23")
AVX_INSN(double_vdppd_ff, "vdppd xmm0, xmm1, xmm2, 0xff")
AVX_INSN(double_vdppd_00, "vdppd xmm0, xmm1, xmm2, 0x0")
AVX_INSN(double_vdppd_m, "vdppd xmm0, xmm1, [rsi], 0x32")
const AvxCase kDoubleCases[] = {
    AVX_CASE(double_vdppd_33),
    AVX_CASE(double_vdppd_31),
    AVX_CASE(double_vdppd_12),
    AVX_CASE(double_vdppd_23),
    AVX_CASE(double_vdppd_ff),
    AVX_CASE(double_vdppd_00),
    AVX_CASE(double_vdppd_m),
    AVX_CASE(double_vaddsubpd_y),
    AVX_CASE(double_vhaddpd_y),
    AVX_CASE(double_vhsubpd_y),
    AVX_CASE(double_vroundpd_0),
    AVX_CASE(double_vroundpd_1),
    AVX_CASE(double_vroundpd_2),
    AVX_CASE(double_vroundpd_3),
    AVX_CASE(double_vroundpd_4),
    AVX_CASE(double_vroundpd_5),
    AVX_CASE(double_vroundpd_6),
    AVX_CASE(double_vroundpd_7),
    AVX_CASE(double_vroundpd_8),
    AVX_CASE(double_vroundpd_9),
    AVX_CASE(double_vroundpd_10),
    AVX_CASE(double_vroundpd_11),
    AVX_CASE(double_vroundpd_12),
    AVX_CASE(double_vroundpd_13),
    AVX_CASE(double_vroundpd_14),
    AVX_CASE(double_vroundpd_15),
    AVX_CASE(double_vroundsd),
    AVX_CASE(double_vroundsd_m),
    AVX_CASE(double_vaddpd_y),
    AVX_CASE(double_vaddsd_m),
    AVX_CASE(double_vsubpd_ym),
    AVX_CASE(double_vmulpd_y),
    AVX_CASE(double_vdivpd_y),
    AVX_CASE(double_vsqrtpd_y),
    AVX_CASE(double_vsqrtsd),
    AVX_CASE(double_vminpd_y),
    AVX_CASE(double_vmaxsd),
    AVX_CASE(double_vcomisd),
    AVX_CASE(double_vucomisd),
    AVX_CASE(double_vcvtsd2si64),
    AVX_CASE(double_vcvttsd2si),
    AVX_CASE(double_vcvtsi2sd64),
    AVX_CASE(double_vcvtpd2ps_y),
    AVX_CASE(double_vcvtpd2ps_ym),
    AVX_CASE(double_vcvtpd2ps_x),
    AVX_CASE(double_vcvtpd2dq_y),
    AVX_CASE(double_vcvttpd2dq_y),
    AVX_CASE(double_vcvttpd2dq_xm),
    AVX_CASE(double_vcvtsd2ss_m),
    AVX_CASE(double_vshufpd_f),
    AVX_CASE(double_vunpcklpd_f),
    AVX_CASE(double_addsd_l),
    AVX_CASE(double_vcmppd_0),
    AVX_CASE(double_vcmppd_1),
    AVX_CASE(double_vcmppd_2),
    AVX_CASE(double_vcmppd_3),
    AVX_CASE(double_vcmppd_4),
    AVX_CASE(double_vcmppd_5),
    AVX_CASE(double_vcmppd_6),
    AVX_CASE(double_vcmppd_7),
    AVX_CASE(double_vcmppd_8),
    AVX_CASE(double_vcmppd_9),
    AVX_CASE(double_vcmppd_10),
    AVX_CASE(double_vcmppd_11),
    AVX_CASE(double_vcmppd_12),
    AVX_CASE(double_vcmppd_13),
    AVX_CASE(double_vcmppd_14),
    AVX_CASE(double_vcmppd_15),
    AVX_CASE(double_vcmppd_16),
    AVX_CASE(double_vcmppd_17),
    AVX_CASE(double_vcmppd_18),
    AVX_CASE(double_vcmppd_19),
    AVX_CASE(double_vcmppd_20),
    AVX_CASE(double_vcmppd_21),
    AVX_CASE(double_vcmppd_22),
    AVX_CASE(double_vcmppd_23),
    AVX_CASE(double_vcmppd_24),
    AVX_CASE(double_vcmppd_25),
    AVX_CASE(double_vcmppd_26),
    AVX_CASE(double_vcmppd_27),
    AVX_CASE(double_vcmppd_28),
    AVX_CASE(double_vcmppd_29),
    AVX_CASE(double_vcmppd_30),
    AVX_CASE(double_vcmppd_31),
    AVX_CASE(double_vcmpsd_0),
    AVX_CASE(double_vcmpsd_1),
    AVX_CASE(double_vcmpsd_2),
    AVX_CASE(double_vcmpsd_3),
    AVX_CASE(double_vcmpsd_4),
    AVX_CASE(double_vcmpsd_5),
    AVX_CASE(double_vcmpsd_6),
    AVX_CASE(double_vcmpsd_7),
    AVX_CASE(double_vcmpsd_8),
    AVX_CASE(double_vcmpsd_9),
    AVX_CASE(double_vcmpsd_10),
    AVX_CASE(double_vcmpsd_11),
    AVX_CASE(double_vcmpsd_12),
    AVX_CASE(double_vcmpsd_13),
    AVX_CASE(double_vcmpsd_14),
    AVX_CASE(double_vcmpsd_15),
    AVX_CASE(double_vcmpsd_16),
    AVX_CASE(double_vcmpsd_17),
    AVX_CASE(double_vcmpsd_18),
    AVX_CASE(double_vcmpsd_19),
    AVX_CASE(double_vcmpsd_20),
    AVX_CASE(double_vcmpsd_21),
    AVX_CASE(double_vcmpsd_22),
    AVX_CASE(double_vcmpsd_23),
    AVX_CASE(double_vcmpsd_24),
    AVX_CASE(double_vcmpsd_25),
    AVX_CASE(double_vcmpsd_26),
    AVX_CASE(double_vcmpsd_27),
    AVX_CASE(double_vcmpsd_28),
    AVX_CASE(double_vcmpsd_29),
    AVX_CASE(double_vcmpsd_30),
    AVX_CASE(double_vcmpsd_31),
};


TEST(CpuAvx, IntegerAndDataMovementMatchHost) { run_cases(kIntCases, std::size(kIntCases), Values::integers); }
TEST(CpuAvx, SingleMatchesHost) { run_cases(kSingleCases, std::size(kSingleCases), Values::singles); }
TEST(CpuAvx, DoubleMatchesHost) { run_cases(kDoubleCases, std::size(kDoubleCases), Values::doubles); }

GUEST_CODE(avx_vaddps, "  vaddps ymm0, ymm1, ymm2\n")
GUEST_CODE(avx_vmovaps_load, "  vmovaps ymm0, [rsi]\n")
GUEST_CODE(avx_vmovaps_x_load, "  vmovaps xmm0, [rsi]\n")
GUEST_CODE(avx_vaddps_unaligned, "  vaddps ymm0, ymm1, [rsi + 4]\n")
GUEST_CODE(avx_vpaddb_256, "  vpaddb ymm0, ymm1, ymm2\n")
GUEST_CODE(avx_vbroadcastss_reg, "  vbroadcastss xmm0, xmm1\n")
GUEST_CODE(avx_vdivps, "  vdivps ymm0, ymm1, ymm2\n")
GUEST_CODE(avx_vpshufb, "  vpshufb xmm0, xmm1, xmm2\n")
GUEST_CODE(avx_vpshufb_256, "  vpshufb ymm0, ymm1, ymm2\n")
GUEST_CODE(avx_xsave_roundtrip, "  vbroadcastsd ymm3, [rsi]\n  mov eax, 7\n  xor edx, edx\n  xsave [rbx]\n"
                                "  vzeroall\n  xrstor [rbx]\n")
GUEST_CODE(avx_legacy_addps, "  addps xmm3, xmm3\n")
GUEST_CODE(avx_vzeroupper, "  vzeroupper\n")

// Encodings Zydis rejects for VEX (Vol. 2A §2.3.2-2.3.4), as raw bytes.
const std::vector<std::vector<uint8_t>> kInvalidEncodings = {
    {0xc5, 0xb8, 0x28, 0xc1},        // VMOVAPS xmm0, xmm1 with VEX.vvvv = 0111b
    {0x66, 0xc5, 0xf8, 0x28, 0xc1},  // 66 before VEX
    {0xf3, 0xc5, 0xf8, 0x28, 0xc1},  // F3 before VEX
    {0xf0, 0xc5, 0xf8, 0x28, 0xc1},  // LOCK before VEX
    {0x40, 0xc5, 0xf8, 0x28, 0xc1},  // REX before VEX
    {0xc5, 0xfd, 0x6e, 0xc0},        // VMOVD with VEX.L = 1
};

TEST(CpuAvx, UdAndNmRules) {
  AvxRegs in{};
  in.mxcsr = 0x1f80;
  {
    AvxHarness h;
    EXPECT_EQ(h.exec(GUEST_BYTES(avx_vaddps), in), -1);
    for (const auto& bytes : kInvalidEncodings) EXPECT_EQ(h.exec(bytes, in), vec::kUD) << int(bytes[0]);
    EXPECT_EQ(h.exec(GUEST_BYTES(avx_vpaddb_256), in), vec::kUD) << "256-bit integer forms are AVX2";
    EXPECT_EQ(h.exec(GUEST_BYTES(avx_vbroadcastss_reg), in), vec::kUD) << "register broadcast is AVX2";
    EXPECT_EQ(h.exec(GUEST_BYTES(avx_vpshufb), in), -1);
    EXPECT_EQ(h.exec(GUEST_BYTES(avx_vpshufb_256), in), vec::kUD) << "AVX2";
    h.s().cr0 |= 1u << 2;  // CR0.EM does not apply to VEX instructions
    EXPECT_EQ(h.exec(GUEST_BYTES(avx_vaddps), in), -1);
    h.s().cr0 |= 1u << 3;  // CR0.TS
    EXPECT_EQ(h.exec(GUEST_BYTES(avx_vaddps), in), vec::kNM);
  }
  {
    AvxHarness h;
    h.cpu->set_xcr0(3);
    EXPECT_EQ(h.exec(GUEST_BYTES(avx_vaddps), in), vec::kUD) << "XCR0[2:1] != 11b";
    h.s().cr0 |= 1u << 3;
    EXPECT_EQ(h.exec(GUEST_BYTES(avx_vaddps), in), vec::kUD) << "#UD before #NM";
  }
  {
    AvxHarness h;
    h.s().cr4 &= ~(1ull << 18);
    EXPECT_EQ(h.exec(GUEST_BYTES(avx_vaddps), in), vec::kUD) << "CR4.OSXSAVE = 0";
  }
}

// Aligned moves check the operand size's alignment (32 for YMM, 16 for XMM);
// VEX arithmetic takes any alignment, unlike legacy SSE (Vol. 2A §2.4).
TEST(CpuAvx, AlignmentRules) {
  AvxHarness h;
  auto at = [&](const std::vector<uint8_t>& code, uint64_t rsi) {
    h.load(code);
    h.s().gpr[kRsi] = rsi;
    h.s().gpr[kRsp] = CpuHarness::kStackTop;
    h.run(100);
    return h.delivered_vector();
  };
  EXPECT_EQ(at(GUEST_BYTES(avx_vmovaps_load), CpuHarness::kDataAddr), -1);
  EXPECT_EQ(at(GUEST_BYTES(avx_vmovaps_load), CpuHarness::kDataAddr + 16), vec::kGP);
  EXPECT_EQ(at(GUEST_BYTES(avx_vmovaps_x_load), CpuHarness::kDataAddr + 16), -1);
  EXPECT_EQ(at(GUEST_BYTES(avx_vmovaps_x_load), CpuHarness::kDataAddr + 8), vec::kGP);
  EXPECT_EQ(at(GUEST_BYTES(avx_vaddps_unaligned), CpuHarness::kDataAddr + 1), -1);
}

// Vol. 1 §11.5.1 for a 256-bit operation: an unmasked exception in the upper
// lane leaves the whole destination alone and raises #XM.
TEST(CpuAvx, UnmaskedExceptionInUpperLaneWritesNothing) {
  AvxHarness h;
  AvxRegs in{};
  const uint64_t one = 0x3f8000003f800000;
  for (unsigned k = 0; k < 4; ++k) in.ymm[0][k] = 0x1111111111111111 * (k + 1), in.ymm[1][k] = one, in.ymm[2][k] = one;
  in.ymm[2][3] = 0x3f80000000000000;  // element 6: 1.0 / 0.0
  in.mxcsr = 0x1f80 & ~(1u << 9);    // ZM clear
  EXPECT_EQ(h.exec(GUEST_BYTES(avx_vdivps), in), 19);
  uint64_t y[4];
  h.get_ymm(0, y);
  EXPECT_EQ(hex256(y), hex256(in.ymm[0]));
  EXPECT_EQ(h.s().mxcsr & 0x3f, 0x4u);
}

// YMM state survives XSAVE, VZEROALL and XRSTOR; a legacy SSE write keeps
// bits 255:128 and VZEROUPPER clears them.
TEST(CpuAvx, XsaveRoundTripAndUpperBits) {
  AvxHarness h;
  AvxRegs in{};
  in.mxcsr = 0x1f80;
  in.mem[0] = 0x0123456789abcdef;
  h.s().gpr[kRbx] = CpuHarness::kDataAddr + 0x1000;
  EXPECT_EQ(h.exec(GUEST_BYTES(avx_xsave_roundtrip), in), -1);
  for (unsigned k = 0; k < 2; ++k) {
    EXPECT_EQ(h.s().xmm[3][k], in.mem[0]);
    EXPECT_EQ(h.s().ymm_hi[3][k], in.mem[0]);
  }
  h.s().ymm_hi[3][1] = 5;
  EXPECT_EQ(h.exec(GUEST_BYTES(avx_legacy_addps), in), -1);
  EXPECT_EQ(h.s().ymm_hi[3][1], 5u) << "legacy SSE keeps bits 255:128";
  EXPECT_EQ(h.exec(GUEST_BYTES(avx_vzeroupper), in), -1);
  EXPECT_EQ(h.s().ymm_hi[3][0] | h.s().ymm_hi[3][1], 0u);
}

GUEST_CODE(avx_vmaskmovps_load, "  vmaskmovps ymm0, ymm1, [rsi]\n")
GUEST_CODE(avx_vmaskmovps_store, "  vmaskmovps [rsi], ymm1, ymm2\n")
GUEST_CODE(avx_vldmxcsr, "  vldmxcsr [rsi]\n")

// Masked-out elements of VMASKMOVPS are not accessed, so they cannot fault
// (Vol. 2C VMASKMOV: here a non-canonical address); a selected one does.
TEST(CpuAvx, MaskedMoveFaultsOnlyForSelectedElements) {
  AvxRegs in{};
  in.mxcsr = 0x1f80;
  for (const auto& code : {GUEST_BYTES(avx_vmaskmovps_load), GUEST_BYTES(avx_vmaskmovps_store)}) {
    AvxHarness h;
    auto run_at = [&](uint64_t rsi) {
      h.load(code);
      h.s().gpr[kRsi] = rsi;
      h.s().gpr[kRsp] = CpuHarness::kStackTop;
      h.run(100);
      return h.delivered_vector();
    };
    h.set_ymm(1, in.ymm[1]);  // mask all clear
    EXPECT_EQ(run_at(0x8000'0000'0000'0000), -1);
    const uint64_t top_only[4] = {0, 0, 0, 0x8000'0000'0000'0000};
    h.set_ymm(1, top_only);  // element 7 selected
    EXPECT_EQ(run_at(0x8000'0000'0000'0000), vec::kGP);
    EXPECT_EQ(run_at(CpuHarness::kDataAddr), -1);
  }
}

// VLDMXCSR loads MXCSR and #GPs on reserved bits, as LDMXCSR.
TEST(CpuAvx, VldmxcsrChecksReservedBits) {
  AvxHarness h;
  AvxRegs in{};
  in.mxcsr = 0x1f80;
  in.mem[0] = 0x7f80;
  EXPECT_EQ(h.exec(GUEST_BYTES(avx_vldmxcsr), in), -1);
  EXPECT_EQ(h.s().mxcsr, 0x7f80u);
  in.mem[0] = 0x10000;
  EXPECT_EQ(h.exec(GUEST_BYTES(avx_vldmxcsr), in), vec::kGP);
  EXPECT_EQ(h.s().mxcsr, 0x1f80u);
}

}  // namespace
}  // namespace nv::test
