#include "linkwatch/base/folded_search.h"

#include <string.h>  // memmem

namespace linkwatch {

std::string LowerAscii(std::string_view text) {
  std::string out(text.size(), '\0');
  // Branch-free, so that the compiler vectorizes it: 0x20 is the case bit.
  const auto* in = reinterpret_cast<const unsigned char*>(text.data());
  auto* to = reinterpret_cast<unsigned char*>(out.data());
  for (size_t i = 0; i < text.size(); ++i) {
    const unsigned char c = in[i];
    to[i] = static_cast<unsigned char>(c | (static_cast<unsigned char>(c - 'A') < 26 ? 0x20 : 0));
  }
  return out;
}

FoldedText::FoldedText(std::string_view text) : lowered_(LowerAscii(text)) {}

bool FoldedText::Contains(std::string_view phrase) const {
  if (phrase.empty()) return true;
  const std::string lowered = LowerAscii(phrase);
  return memmem(lowered_.data(), lowered_.size(), lowered.data(), lowered.size()) != nullptr;
}

}  // namespace linkwatch
