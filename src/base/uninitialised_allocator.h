// An allocator whose default construction leaves the bytes as they are. For
// buffers that are resized and then filled (from a socket, by a decoder):
// std::vector's resize would zero them first, a cost paid per request or
// batch for nothing.
#pragma once

#include <memory>
#include <new>
#include <type_traits>
#include <utility>

namespace samsa {

template <typename T>
struct uninitialised_allocator : std::allocator<T> {
  using std::allocator<T>::allocator;
  template <typename U>
  struct rebind {
    using other = uninitialised_allocator<U>;
  };
  template <typename U>
  void construct(U* p) noexcept(std::is_nothrow_default_constructible_v<U>) {
    ::new (static_cast<void*>(p)) U;
  }
  template <typename U, typename... Args>
  void construct(U* p, Args&&... args) {
    ::new (static_cast<void*>(p)) U(std::forward<Args>(args)...);
  }
};

}  // namespace samsa
