// The concrete domain of the pfn formulas (pfn/gigantic.hpp). The formulas are written
// once, as templates over a domain D: with Concrete they compute the kernel's
// `unsigned long` arithmetic (wrap-around included) on numbers, for the explorer's
// gigantic actors and for replaying counterexamples; with Symbolic
// (properties/pfn/symbolic.hpp) they build Z3 terms.
//
// A domain provides U (a pfn, an order: unsigned 64-bit), B (a truth value), literals,
// the unsigned comparisons (C's `<` on unsigned long; Z3's `<` would be signed), shifts
// with C's and SMT-LIB's shared meaning for in-range amounts, `ite`, and bounded
// quantifiers for the kernel's loops: all_in(lo, hi, p) is `for (i = lo; i < hi; i++) if
// (!p(i)) return false; return true;`, exactly, also when hi < lo.
#pragma once

#include <cstdint>

namespace hugecheck::pfn {

struct Concrete {
    using U = std::uint64_t;
    using B = bool;

    U lit(std::uint64_t v) const { return v; }
    B truth(bool v) const { return v; }
    B ult(U a, U b) const { return a < b; }
    B ule(U a, U b) const { return a <= b; }
    B eq(U a, U b) const { return a == b; }
    U shl(U a, U amount) const { return amount >= 64 ? 0 : a << amount; }
    U lshr(U a, U amount) const { return amount >= 64 ? 0 : a >> amount; }
    // (unsigned long)(int)x: the sign extension of C's int arithmetic into unsigned long.
    U sext32(U a) const {
        return static_cast<U>(
            static_cast<std::int64_t>(static_cast<std::int32_t>(static_cast<std::uint32_t>(a))));
    }
    U ite(B c, U a, U b) const { return c ? a : b; }
    B implies(B a, B b) const { return !a || b; }

    template <class P>
    B all_in(U lo, U hi, P&& p) const {
        for (U i = lo; i < hi; ++i)
            if (!p(i)) return false;
        return true;
    }
    // every i with lo <= i <= last (a loop's iterations 0..k)
    template <class P>
    B all_upto(U lo, U last, P&& p) const {
        if (last < lo) return true;
        for (U i = lo;; ++i) {
            if (!p(i)) return false;
            if (i == last) return true;
        }
    }
};

}  // namespace hugecheck::pfn
