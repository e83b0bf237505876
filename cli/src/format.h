// Human-readable output: aligned tables and JSON values as plain text.
#pragma once

#include <nlohmann/json.hpp>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

namespace linkwatch::cli {

// A JSON value as a table cell: strings as they are, null as "-", booleans
// as "yes"/"no", anything else as compact JSON.
std::string CellText(const nlohmann::json& value);

// `text` with every control character (C0, DEL, C1) written as \xNN: what
// others typed (a basis, a note, a label) cannot move the cursor, clear the
// screen or fake a line of output. CellText applies it to strings.
std::string Printable(std::string_view text);

// obj[key]; a null value when obj is not an object or lacks the key.
const nlohmann::json& Member(const nlohmann::json& obj, const char* key);

// obj[key] as CellText; "-" when obj is not an object or lacks the key.
std::string FieldText(const nlohmann::json& obj, const char* key);

// Columns are padded to their widest cell (counted in UTF-8 code points);
// the last column is not padded. An empty `header` prints no header line.
void PrintTable(std::ostream& out, const std::vector<std::string>& header,
                const std::vector<std::vector<std::string>>& rows);

// One column of a table built from an array of JSON objects.
struct JsonColumn {
  const char* title;  // "ID"
  const char* key;    // "id"
};

// A table with one row per object of `items` (an array; anything else prints
// only the header).
void PrintJsonTable(std::ostream& out, const std::vector<JsonColumn>& columns,
                    const nlohmann::json& items);

// The "matches" array of a link or a rule test (matcher/match_json.h): one
// line per hit with its rule, category and legal basis, then its excerpts.
// Prints nothing for an empty or absent array.
void PrintMatches(std::ostream& out, const nlohmann::json& matches);

// Pretty-printed JSON with invalid UTF-8 replaced by U+FFFD, then a newline.
void PrintJson(std::ostream& out, const nlohmann::json& value);

}  // namespace linkwatch::cli
