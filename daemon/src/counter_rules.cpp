// Per-site counter extractors from TOML files ([[counter]] tables).
#include <filesystem>
#include <set>
#include <toml++/toml.h>

#include "linkwatch/daemon/config.h"

namespace linkwatch::daemon {
namespace {

namespace fs = std::filesystem;

std::string At(const std::string& file, const toml::node& n) {
  return file + ":" + std::to_string(n.source().begin.line) + ": ";
}

Status StringField(const std::string& file, const toml::node& n, const std::string& key, std::string* out) {
  const auto* v = n.as_string();
  if (v == nullptr) return Status::InvalidArgument(At(file, n) + "counter." + key + " must be a string");
  *out = v->get();
  return Status::Ok();
}

Status ReadField(const std::string& file, const std::string& key, const toml::node& n,
                 crawler::SiteCounterRule& r) {
  if (key == "hosts") {
    const auto* arr = n.as_array();
    if (arr == nullptr) return Status::InvalidArgument(At(file, n) + "counter.hosts must be an array of strings");
    r.hosts.clear();
    for (const auto& h : *arr) {
      if (!h.is_string()) return Status::InvalidArgument(At(file, n) + "counter.hosts must be an array of strings");
      r.hosts.push_back(h.as_string()->get());
    }
    return Status::Ok();
  }
  if (key == "counter") {
    std::string name;
    if (auto st = StringField(file, n, key, &name); !st.ok()) return st;
    const auto kind = crawler::ParseCounterKind(name);
    if (!kind) {
      return Status::InvalidArgument(At(file, n) + "counter.counter \"" + name +
                                     "\" is not views, shares, likes or comments");
    }
    r.kind = *kind;
    return Status::Ok();
  }
  std::string* fields[] = {&r.name, &r.element, &r.attribute, &r.value, &r.read};
  const char* names[] = {"name", "element", "attribute", "value", "read"};
  for (size_t i = 0; i < std::size(names); ++i) {
    if (key == names[i]) return StringField(file, n, key, fields[i]);
  }
  return Status::InvalidArgument(At(file, n) + "unknown key \"" + key + "\" in [[counter]]");
}

Status ReadFile(const std::string& file, std::vector<crawler::SiteCounterRule>& out) {
  toml::table root;
  try {
    root = toml::parse_file(file);
  } catch (const toml::parse_error& e) {
    return Status::InvalidArgument(file + ":" + std::to_string(e.source().begin.line) + ": " +
                                   std::string(e.description()));
  }
  for (const auto& [key, node] : root) {
    const auto* list = node.as_array();
    if (key.str() != "counter" || list == nullptr || !list->is_array_of_tables()) {
      return Status::InvalidArgument(At(file, node) + "only [[counter]] tables are allowed, not \"" +
                                     std::string(key.str()) + "\"");
    }
    for (const auto& item : *list) {
      crawler::SiteCounterRule r;
      for (const auto& [k, v] : *item.as_table()) {
        if (auto st = ReadField(file, std::string(k.str()), v, r); !st.ok()) return st;
      }
      if (r.name.empty() || (r.element.empty() && r.attribute.empty()) ||
          (!r.attribute.empty() && r.value.empty())) {
        return Status::InvalidArgument(At(file, item) +
                                       "a [[counter]] needs a name, and an element or an attribute with its value");
      }
      out.push_back(std::move(r));
    }
  }
  return Status::Ok();
}

}  // namespace

Result<std::vector<crawler::SiteCounterRule>> LoadCounterRules(const std::vector<std::string>& paths) {
  std::vector<crawler::SiteCounterRule> rules;
  for (const auto& path : paths) {
    std::error_code ec;
    std::set<std::string> files;
    if (fs::is_directory(path, ec)) {
      for (const auto& entry : fs::directory_iterator(path, ec)) {
        if (entry.path().extension() == ".toml") files.insert(entry.path().string());
      }
    } else if (fs::is_regular_file(path, ec)) {
      files.insert(path);
    } else {
      return Status::NotFound("counter extractor path " + path + " does not exist");
    }
    for (const auto& file : files) {
      if (auto st = ReadFile(file, rules); !st.ok()) return st;
    }
  }
  return rules;
}

}  // namespace linkwatch::daemon
