// The symbolic domain of the pfn formulas (pfn/gigantic.hpp): Z3 bit-vector terms of 64
// bits over unknowns, for queries over every layout at once. The concrete domain, which
// the explorer uses, is pfn/concrete.hpp; see there for what a domain provides.
#pragma once

#include <z3++.h>

#include <string>

namespace hugecheck::pfn {

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
