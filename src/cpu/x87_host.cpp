#include "cpu/x87_host.h"

namespace nv::x87 {

// TEXT runs between the guest control word being loaded (after FNCLEX, so
// nothing it unmasks is pending) and FNSTSW; FNCLEX then drops the host's
// record of any unmasked exception before the next waiting instruction.
#define X87_HOST(name, text)                                                                            \
  HostResult name(long double a, long double b, uint64_t raw, uint16_t cw) {                            \
    HostResult o{0, 0, 0, raw, 0};                                                                      \
    uint16_t saved = 0;                                                                                 \
    asm volatile("fnstcw %[saved]\n\tfnclex\n\tfldcw %[cw]\n\t" text                                    \
                 "\n\tfnstsw %[sw]\n\tfnclex\n\tfldcw %[saved]\n\tfstpt %[r]\n\tfstpt %[r2]\n\tfninit\n"       \
                 "\tfldcw %[saved]"                                                                      \
                 : [r] "+m"(o.r), [r2] "+m"(o.r2), [m80] "+m"(o.m80), [raw] "+m"(o.raw), [sw] "+m"(o.sw), \
                   [saved] "+m"(saved)                                                                   \
                 : [a] "m"(a), [b] "m"(b), [cw] "m"(cw)                                                 \
                 : "st", "st(1)", "st(2)", "st(3)", "st(4)", "st(5)", "st(6)", "st(7)");                \
    return o;                                                                                           \
  }

#define X87_TWO "fldt %[b]\n\tfldt %[a]\n\t"
X87_HOST(add, X87_TWO "fadd %%st(1), %%st")
X87_HOST(sub, X87_TWO "fsub %%st(1), %%st")
X87_HOST(mul, X87_TWO "fmul %%st(1), %%st")
X87_HOST(div, X87_TWO "fdiv %%st(1), %%st")
X87_HOST(scale, X87_TWO "fscale")
X87_HOST(prem, X87_TWO "fprem")
X87_HOST(prem1, X87_TWO "fprem1")
X87_HOST(com, X87_TWO "fcompp")
X87_HOST(patan, X87_TWO "fpatan")
X87_HOST(yl2x, X87_TWO "fyl2x")
X87_HOST(yl2xp1, X87_TWO "fyl2xp1")
X87_HOST(ucom, X87_TWO "fucompp")
#undef X87_TWO
X87_HOST(add_m32, "fldt %[a]\n\tfadds %[raw]")
X87_HOST(add_m64, "fldt %[a]\n\tfaddl %[raw]")
X87_HOST(add_i16, "fldt %[a]\n\tfiadds %[raw]")
X87_HOST(add_i32, "fldt %[a]\n\tfiaddl %[raw]")
X87_HOST(sub_m32, "fldt %[a]\n\tfsubs %[raw]")
X87_HOST(sub_m64, "fldt %[a]\n\tfsubl %[raw]")
X87_HOST(sub_i16, "fldt %[a]\n\tfisubs %[raw]")
X87_HOST(sub_i32, "fldt %[a]\n\tfisubl %[raw]")
X87_HOST(subr_m32, "fldt %[a]\n\tfsubrs %[raw]")
X87_HOST(subr_m64, "fldt %[a]\n\tfsubrl %[raw]")
X87_HOST(subr_i16, "fldt %[a]\n\tfisubrs %[raw]")
X87_HOST(subr_i32, "fldt %[a]\n\tfisubrl %[raw]")
X87_HOST(mul_m32, "fldt %[a]\n\tfmuls %[raw]")
X87_HOST(mul_m64, "fldt %[a]\n\tfmull %[raw]")
X87_HOST(mul_i16, "fldt %[a]\n\tfimuls %[raw]")
X87_HOST(mul_i32, "fldt %[a]\n\tfimull %[raw]")
X87_HOST(div_m32, "fldt %[a]\n\tfdivs %[raw]")
X87_HOST(div_m64, "fldt %[a]\n\tfdivl %[raw]")
X87_HOST(div_i16, "fldt %[a]\n\tfidivs %[raw]")
X87_HOST(div_i32, "fldt %[a]\n\tfidivl %[raw]")
X87_HOST(divr_m32, "fldt %[a]\n\tfdivrs %[raw]")
X87_HOST(divr_m64, "fldt %[a]\n\tfdivrl %[raw]")
X87_HOST(divr_i16, "fldt %[a]\n\tfidivrs %[raw]")
X87_HOST(divr_i32, "fldt %[a]\n\tfidivrl %[raw]")
X87_HOST(com_m32, "fldt %[a]\n\tfcoms %[raw]")
X87_HOST(com_m64, "fldt %[a]\n\tfcoml %[raw]")
X87_HOST(com_i16, "fldt %[a]\n\tficoms %[raw]")
X87_HOST(com_i32, "fldt %[a]\n\tficoml %[raw]")
X87_HOST(sqrt, "fldt %[a]\n\tfsqrt")
X87_HOST(rndint, "fldt %[a]\n\tfrndint")
X87_HOST(f2xm1, "fldt %[a]\n\tf2xm1")
X87_HOST(sin, "fldt %[a]\n\tfsin")
X87_HOST(cos, "fldt %[a]\n\tfcos")
X87_HOST(tst, "fldt %[a]\n\tftst")
X87_HOST(ptan, "fldt %[a]\n\tfptan")
X87_HOST(sincos, "fldt %[a]\n\tfsincos")
X87_HOST(xtract, "fldt %[a]\n\tfxtract")
X87_HOST(bld, "fbld %[a]")
X87_HOST(bstp, "fldt %[a]\n\tfbstp %[m80]")
X87_HOST(load32, "flds %[raw]")
X87_HOST(load64, "fldl %[raw]")
X87_HOST(store32, "fldt %[a]\n\tfstps %[raw]")
X87_HOST(store64, "fldt %[a]\n\tfstpl %[raw]")
X87_HOST(ist16, "fldt %[a]\n\tfistps %[raw]")
X87_HOST(ist32, "fldt %[a]\n\tfistpl %[raw]")
X87_HOST(ist64, "fldt %[a]\n\tfistpll %[raw]")
X87_HOST(isttp16, "fldt %[a]\n\tfisttps %[raw]")
X87_HOST(isttp32, "fldt %[a]\n\tfisttpl %[raw]")
X87_HOST(isttp64, "fldt %[a]\n\tfisttpll %[raw]")
X87_HOST(ld1, "fld1")
X87_HOST(ldl2t, "fldl2t")
X87_HOST(ldl2e, "fldl2e")
X87_HOST(ldpi, "fldpi")
X87_HOST(ldlg2, "fldlg2")
X87_HOST(ldln2, "fldln2")
X87_HOST(ldz, "fldz")
#undef X87_HOST

}  // namespace nv::x87
