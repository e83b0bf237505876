// A guard against hostile nesting before Gumbo parses a page.
//
// Gumbo 0.10 walks the stack of open elements on most start tags, so a page
// of 100,000 nested <div> takes it minutes. Browsers cap the depth of the tree
// (Blink at 512); LimitNesting does the same on the markup, before parsing.
//
// Internal to the crawler. Pure function; thread-safe.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace linkwatch::crawler {

// A cheap tag scan (comments, raw-text elements such as <script> and quoted
// attributes honoured; void elements, self-closing tags and elements whose end
// tag is implied, such as <p> and <li>, not counted) that estimates the depth
// of open elements. Start tags that would open an element deeper than
// `max_depth`, and their matching end tags, are removed; their content stays.
// nullopt when nothing is removed (the common case: no copy is made).
std::optional<std::string> LimitNesting(std::string_view html, size_t max_depth);

}  // namespace linkwatch::crawler
