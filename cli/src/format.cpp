#include "format.h"

#include <algorithm>

namespace linkwatch::cli {
namespace {

size_t DisplayWidth(const std::string& text) {
  // Counts every byte that does not continue a UTF-8 sequence.
  return static_cast<size_t>(std::count_if(text.begin(), text.end(), [](char c) {
    return (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  }));
}

std::vector<size_t> ColumnWidths(const std::vector<std::string>& header,
                                 const std::vector<std::vector<std::string>>& rows) {
  std::vector<size_t> widths(header.size());
  for (const auto& row : rows) widths.resize(std::max(widths.size(), row.size()));
  for (size_t i = 0; i < header.size(); ++i) widths[i] = DisplayWidth(header[i]);
  for (const auto& row : rows) {
    for (size_t i = 0; i < row.size(); ++i) widths[i] = std::max(widths[i], DisplayWidth(row[i]));
  }
  return widths;
}

void PrintRow(std::ostream& out, const std::vector<std::string>& row,
              const std::vector<size_t>& widths) {
  constexpr char kGap[] = "  ";
  for (size_t i = 0; i < widths.size(); ++i) {
    const std::string cell = i < row.size() ? row[i] : "";
    out << cell;
    if (i + 1 < widths.size()) out << std::string(widths[i] - DisplayWidth(cell), ' ') << kGap;
  }
  out << '\n';
}

}  // namespace

std::string Printable(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    // C1 controls are U+0080..U+009F, in UTF-8 0xC2 0x80..0x9F.
    const bool c1 = c == 0xC2 && i + 1 < text.size() && static_cast<unsigned char>(text[i + 1]) >= 0x80 &&
                    static_cast<unsigned char>(text[i + 1]) <= 0x9F;
    if (c >= 0x20 && c != 0x7F && !c1) {
      out.push_back(text[i]);
      continue;
    }
    const unsigned code = c1 ? static_cast<unsigned char>(text[++i]) : c;
    constexpr char kHex[] = "0123456789ABCDEF";
    out += "\\x";
    out.push_back(kHex[code >> 4]);
    out.push_back(kHex[code & 0xF]);
  }
  return out;
}

std::string CellText(const nlohmann::json& value) {
  if (value.is_null()) return "-";
  if (value.is_string()) return Printable(value.get<std::string>());
  if (value.is_boolean()) return value.get<bool>() ? "yes" : "no";
  return value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

const nlohmann::json& Member(const nlohmann::json& obj, const char* key) {
  static const nlohmann::json kNull;
  if (!obj.is_object()) return kNull;
  const auto it = obj.find(key);
  return it == obj.end() ? kNull : *it;
}

std::string FieldText(const nlohmann::json& obj, const char* key) {
  return CellText(Member(obj, key));
}

void PrintTable(std::ostream& out, const std::vector<std::string>& header,
                const std::vector<std::vector<std::string>>& rows) {
  const std::vector<size_t> widths = ColumnWidths(header, rows);
  if (!header.empty()) PrintRow(out, header, widths);
  for (const auto& row : rows) PrintRow(out, row, widths);
}

void PrintJsonTable(std::ostream& out, const std::vector<JsonColumn>& columns,
                    const nlohmann::json& items) {
  std::vector<std::string> header;
  for (const JsonColumn& column : columns) header.push_back(column.title);
  std::vector<std::vector<std::string>> rows;
  for (const nlohmann::json& item : items.is_array() ? items : nlohmann::json::array()) {
    std::vector<std::string>& row = rows.emplace_back();
    for (const JsonColumn& column : columns) row.push_back(FieldText(item, column.key));
  }
  PrintTable(out, header, rows);
}

void PrintJson(std::ostream& out, const nlohmann::json& value) {
  out << value.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << '\n';
}

void PrintMatches(std::ostream& out, const nlohmann::json& matches) {
  if (!matches.is_array() || matches.empty()) return;
  out << "\nmatches (" << matches.size() << "):\n";
  for (const auto& m : matches) {
    const bool is_rule = FieldText(m, "kind") == "rule";
    out << "  " << (is_rule ? FieldText(m, "rule_id") : "hash " + FieldText(m, "label")) << "  "
        << FieldText(m, "category");
    if (is_rule) out << "  severity " << FieldText(m, "severity");
    out << "  basis: " << FieldText(m, "legal_basis") << '\n';
    if (is_rule) out << "    " << FieldText(m, "description") << '\n';
    if (!is_rule) out << "    SHA-256 of the " << FieldText(m, "digest_of") << ": " << FieldText(m, "sha256") << '\n';
    const nlohmann::json& excerpts = Member(m, "excerpts");
    if (!excerpts.is_array()) continue;
    for (const auto& e : excerpts) out << "    \"" << FieldText(e, "text") << "\"\n";
  }
}

}  // namespace linkwatch::cli
