// Platform rules: fold the aliases under which Telegram, YouTube and VK
// publish one post or video into one URL.
//
// Internal to the crawler. Pure functions over immutable tables; thread-safe.
#pragma once

#include <string>
#include <vector>

#include "url_parts.h"

namespace linkwatch::crawler {

// The rule set names, in the order they apply: "telegram", "youtube", "vk".
const std::vector<std::string>& PlatformRuleNames();

// Applies the rule sets named in `enabled` (unknown names are ignored).
// REQUIRES: `parts` is normalized (lower-case host, normalized escapes).
void ApplyPlatformRules(UrlParts& parts, const std::vector<std::string>& enabled);

}  // namespace linkwatch::crawler
