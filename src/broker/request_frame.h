// The bytes of one request as read from a connection (after the size prefix).
#pragma once

#include <cstdint>
#include <memory>
#include <new>
#include <type_traits>
#include <utility>
#include <vector>

namespace samsa::broker {

// An allocator whose default construction leaves bytes as they are: a
// request's buffer is resized before the socket fills it, and zero-filling
// it first cost 6% of the broker's CPU at 1 KiB acks=1 (1 MiB requests; perf:
// memset under connection::read_body).
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

using request_frame = std::vector<uint8_t, uninitialised_allocator<uint8_t>>;

}  // namespace samsa::broker
