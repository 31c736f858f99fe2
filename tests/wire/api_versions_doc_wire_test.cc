// docs/api-versions.md must say what the broker serves: its table of APIs
// (between the served-table markers) is compared with a real broker's
// ApiVersions answer, key by key, so the document cannot drift.
#include <gtest/gtest.h>

#include <fstream>
#include <iostream>
#include <map>
#include <optional>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "broker_process.h"
#include "protocol/api_keys.h"
#include "wire_client.h"
#include "wire_helpers.h"

namespace samsa::wire_test {
namespace {

using range = std::pair<int16_t, int16_t>;

struct doc_row {
  int16_t key = 0;
  std::string name;
  range served;
  std::string first_flexible;  // a number, or "—" when no served version is flexible
  std::string line;
};

std::vector<std::string> cells(const std::string& line) {
  std::vector<std::string> out;
  std::stringstream ss(line);
  std::string cell;
  std::getline(ss, cell, '|');  // before the first bar
  while (std::getline(ss, cell, '|')) {
    auto b = cell.find_first_not_of(' ');
    auto e = cell.find_last_not_of(' ');
    out.push_back(b == std::string::npos ? "" : cell.substr(b, e - b + 1));
  }
  return out;
}

// "0–12" (en dash) or "0-12".
std::optional<range> parse_range(const std::string& text) {
  static const std::regex re(R"((\d+)\s*(?:–|-)\s*(\d+))");
  std::smatch m;
  if (!std::regex_search(text, m, re)) return std::nullopt;
  return range{static_cast<int16_t>(std::stoi(m[1])), static_cast<int16_t>(std::stoi(m[2]))};
}

std::vector<doc_row> read_table(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot read " + path);
  std::vector<doc_row> rows;
  std::string line;
  bool inside = false;
  while (std::getline(in, line)) {
    if (line.find("<!-- served-table:begin -->") != std::string::npos) inside = true;
    if (line.find("<!-- served-table:end -->") != std::string::npos) inside = false;
    if (!inside || line.rfind("| ", 0) != 0) continue;
    auto c = cells(line);
    if (c.size() < 4 || c[0].empty() || !std::isdigit(static_cast<unsigned char>(c[0][0]))) continue;
    doc_row row;
    row.key = static_cast<int16_t>(std::stoi(c[0]));
    row.name = c[1];
    auto served = parse_range(c[2]);
    if (!served) throw std::runtime_error("no served range in: " + line);
    row.served = *served;
    row.first_flexible = c[3];
    row.line = line;
    rows.push_back(row);
  }
  return rows;
}

class ApiVersionsDocWire : public ::testing::Test {
 protected:
  void SetUp() override {
    broker_.start();
    client_ = std::make_unique<wire_client>(broker_.port());
  }
  broker_process broker_;
  std::unique_ptr<wire_client> client_;
};

TEST_F(ApiVersionsDocWire, TheTableIsWhatApiVersionsAnswers) {
  auto rows = read_table(SAMSA_API_VERSIONS_DOC);
  ASSERT_GE(rows.size(), 30u) << "the served table was not found";
  auto advertised = advertised_versions(*client_);
  std::map<int16_t, const doc_row*> documented;
  for (const auto& r : rows) {
    EXPECT_EQ(documented.count(r.key), 0u) << "api key " << r.key << " listed twice";
    documented[r.key] = &r;
  }
  for (const auto& [key, actual] : advertised) {
    auto it = documented.find(key);
    if (it == documented.end()) {
      ADD_FAILURE() << "api key " << key << " (" << protocol::find_api(key)->name << ") is served as v"
                    << actual.first << "-" << actual.second << " but not in docs/api-versions.md";
      continue;
    }
    const doc_row& row = *it->second;
    if (actual != row.served) {
      ADD_FAILURE() << row.name << ": docs/api-versions.md says v" << row.served.first << "-" << row.served.second
                    << ", ApiVersions says v" << actual.first << "-" << actual.second;
    }
  }
  for (const auto& [key, row] : documented) {
    EXPECT_EQ(advertised.count(key), 1u) << row->name << " (key " << key << ") is documented but not served";
  }
}

TEST_F(ApiVersionsDocWire, FirstFlexibleVersionsMatchTheDefinitions) {
  for (const auto& row : read_table(SAMSA_API_VERSIONS_DOC)) {
    const protocol::api_info* info = protocol::find_api(row.key);
    ASSERT_NE(info, nullptr) << row.line;
    EXPECT_EQ(row.name, info->name) << row.line;
    const bool flexible_served = info->first_flexible >= 0 && info->first_flexible <= row.served.second;
    if (flexible_served) {
      EXPECT_EQ(row.first_flexible, std::to_string(info->first_flexible)) << row.line;
    } else {
      EXPECT_EQ(row.first_flexible, "—") << row.line;
    }
  }
}

}  // namespace
}  // namespace samsa::wire_test
