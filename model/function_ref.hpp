// A non-owning reference to a callable: one indirect call, no allocation (the hot path
// passes successor sinks through it).
#pragma once

#include <type_traits>
#include <utility>

namespace hugecheck {

template <class Signature>
class FunctionRef;

template <class R, class... Args>
class FunctionRef<R(Args...)> {
  public:
    template <class F>
    requires(!std::is_same_v<std::remove_cvref_t<F>, FunctionRef> &&
             std::is_invocable_r_v<R, F&, Args...>)
        FunctionRef(F& f)  // NOLINT(google-explicit-constructor): a reference, used like one
        : object_(const_cast<void*>(static_cast<const void*>(std::addressof(f)))),
          call_([](void* o, Args... args) -> R {
              if constexpr (std::is_void_v<R>)  // a sink's answer may be ignored
                  (*static_cast<F*>(o))(std::forward<Args>(args)...);
              else
                  return (*static_cast<F*>(o))(std::forward<Args>(args)...);
          }) {}

    R operator()(Args... args) const { return call_(object_, std::forward<Args>(args)...); }

  private:
    void* object_;
    R (*call_)(void*, Args...);
};

}  // namespace hugecheck
