// A string that holds key material and wipes its bytes when it dies.
//
// Private keys travel as PEM text from the key file to OpenSSL. Every copy we make lives in a
// SecretString, so no freed heap block keeps a readable key (a core dump or a swapped page
// would otherwise leak it). Copies are allowed (each copy wipes itself); moves steal the buffer.
#pragma once

#include <string>
#include <string_view>
#include <utility>

#include <openssl/crypto.h>

namespace jointly::net {

class SecretString {
 public:
  SecretString() = default;
  // Implicit on purpose: `options.key_pem = read_file(...)` should just work. Moving the string
  // in avoids leaving an unwiped copy behind.
  SecretString(std::string value) : value_(std::move(value)) {}  // NOLINT(google-explicit-*)
  SecretString(const SecretString&) = default;
  SecretString(SecretString&& other) noexcept : value_(std::move(other.value_)) { other.wipe(); }
  SecretString& operator=(const SecretString& other) {
    if (this != &other) {
      wipe();
      value_ = other.value_;
    }
    return *this;
  }
  SecretString& operator=(SecretString&& other) noexcept {
    if (this != &other) {
      wipe();
      value_ = std::move(other.value_);
      other.wipe();
    }
    return *this;
  }
  ~SecretString() { wipe(); }

  std::string_view view() const { return value_; }
  bool empty() const { return value_.empty(); }
  std::size_t size() const { return value_.size(); }

 private:
  void wipe() {
    // Wipe the whole capacity: a shorter value may have overwritten a longer key in place.
    value_.resize(value_.capacity());
    OPENSSL_cleanse(value_.data(), value_.size());
    value_.clear();
  }

  std::string value_;
};

}  // namespace jointly::net
