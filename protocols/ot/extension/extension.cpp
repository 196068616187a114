#include "protocols/ot/extension/extension.h"

#include <stdexcept>

namespace jointly::ot {

Extension parse_extension(const std::string& name, const std::string& setting) {
  if (name == "iknp") return Extension::kIknp;
  if (name == "softspoken") return Extension::kSoftSpoken;
  throw std::invalid_argument("'" + setting + "' must be \"iknp\" or \"softspoken\", not \"" +
                              name + "\"");
}

std::string extension_name(Extension e) { return e == Extension::kIknp ? "iknp" : "softspoken"; }

void OtOptions::validate() const {
  if (extension == Extension::kSoftSpoken && (k < kMinSoftSpokenK || k > kMaxSoftSpokenK)) {
    throw std::invalid_argument("SoftSpokenOT: 'ot_k' must be " + std::to_string(kMinSoftSpokenK) +
                                " to " + std::to_string(kMaxSoftSpokenK) + ", not " +
                                std::to_string(k));
  }
  if (threads != 1 && threads != 2) {
    throw std::invalid_argument("OT extension: 'ot_threads' must be 1 or 2, not " +
                                std::to_string(threads));
  }
}

std::string OtOptions::describe() const {
  std::string s = extension == Extension::kIknp ? "IKNP" : "SoftSpokenOT k=" + std::to_string(k);
  return s + ", " + std::to_string(threads) + (threads == 1 ? " thread" : " threads");
}

}  // namespace jointly::ot
