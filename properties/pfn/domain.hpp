// The two domains the pfn formulas (gigantic.hpp) are evaluated in. The formulas are
// written once, as templates over a domain D: with Concrete they compute the kernel's
// `unsigned long` arithmetic (wrap-around included) on numbers; with Symbolic they build
// Z3 bit-vector terms of 64 bits over unknowns, for queries over every layout at once.
//
// A domain provides U (a pfn, an order: unsigned 64-bit), B (a truth value), literals,
// the unsigned comparisons (C's `<` on unsigned long; Z3's `<` would be signed), shifts
// with C's and SMT-LIB's shared meaning for in-range amounts, `ite`, and bounded
// quantifiers for the kernel's loops: all_in(lo, hi, p) is `for (i = lo; i < hi; i++) if
// (!p(i)) return false; return true;`, exactly, also when hi < lo.
#pragma once

#include <z3++.h>

#include <cstdint>
#include <string>

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

class Symbolic {
  public:
    using U = z3::expr;
    using B = z3::expr;

    explicit Symbolic(z3::context& ctx) : ctx_(ctx) {}
    z3::context& ctx() const { return ctx_; }

    U lit(std::uint64_t v) const { return ctx_.bv_val(v, 64); }
    B truth(bool v) const { return ctx_.bool_val(v); }
    U var(const std::string& name) const { return ctx_.bv_const(name.c_str(), 64); }
    B ult(const U& a, const U& b) const { return z3::ult(a, b); }
    B ule(const U& a, const U& b) const { return z3::ule(a, b); }
    B eq(const U& a, const U& b) const { return a == b; }
    U shl(const U& a, const U& amount) const { return z3::shl(a, amount); }
    U lshr(const U& a, const U& amount) const { return z3::lshr(a, amount); }
    U sext32(const U& a) const { return z3::sext(a.extract(31, 0), 32); }
    U ite(const B& c, const U& a, const U& b) const { return z3::ite(c, a, b); }
    B implies(const B& a, const B& b) const { return z3::implies(a, b); }

    template <class P>
    B all_in(const U& lo, const U& hi, P&& p) const {
        const U i = fresh();
        return z3::forall(i, z3::implies(z3::ule(lo, i) && z3::ult(i, hi), p(i)));
    }
    template <class P>
    B all_upto(const U& lo, const U& last, P&& p) const {
        const U i = fresh();
        return z3::forall(i, z3::implies(z3::ule(lo, i) && z3::ule(i, last), p(i)));
    }

  private:
    U fresh() const { return ctx_.bv_const(("i!" + std::to_string(fresh_++)).c_str(), 64); }

    z3::context& ctx_;
    mutable unsigned fresh_ = 0;
};

}  // namespace hugecheck::pfn
