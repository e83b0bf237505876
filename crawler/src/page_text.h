// Visible-text assembly for page extraction.
//
// Internal to the crawler. One TextBuilder per extraction.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace linkwatch::crawler {

// Appends text nodes as a browser lays them out: runs of ASCII white space
// become one space, nothing is inserted between adjacent text nodes (so
// "cr" + "im" + "son" reads "crimson"), and Break() starts a new line for a
// block element. The result never exceeds `max_bytes` and is cut only at a
// UTF-8 character boundary (the input must be valid UTF-8).
class TextBuilder {
 public:
  explicit TextBuilder(size_t max_bytes) : max_bytes_(max_bytes) {}

  void Append(std::string_view text);
  void Break() { pending_break_ = true; }

  bool truncated() const { return full_; }
  // The text so far (a view valid until the next call), and its bytes.
  std::string_view view() const { return out_; }
  size_t size() const { return out_.size(); }
  std::string Take() { return std::move(out_); }

 private:
  void Emit(std::string_view word);
  void Put(std::string_view bytes);

  size_t max_bytes_;
  std::string out_;
  bool pending_space_ = false;
  bool pending_break_ = false;
  bool full_ = false;
};

// `text` with runs of ASCII white space made one space and both ends trimmed.
std::string CollapseWhitespace(std::string_view text);

// Cuts *text to at most `max_bytes`, at a UTF-8 character boundary; returns
// true when it was cut.
bool CutUtf8(std::string* text, size_t max_bytes);

}  // namespace linkwatch::crawler
