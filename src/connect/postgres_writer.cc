#include "connect/postgres_writer.h"

#include <algorithm>
#include <set>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <libpq-fe.h>
#include <pqxx/pqxx>

#include "connect/sql_statements.h"

namespace samsa::connect {

struct postgres_writer::impl {
  explicit impl(const std::string& connection) : conn(connection) {}
  pqxx::connection conn;
};

namespace {

// libpq's messages span lines ("ERROR:  ...\nCONTEXT:  ..."); one line reads
// better inside ours.
std::string one_line(const std::string& text) {
  std::string out;
  for (char c : text) {
    if (c == '\n') {
      if (!out.empty() && out.back() != ' ') out += "; ";
    } else {
      out += c;
    }
  }
  while (!out.empty() && (out.back() == ' ' || out.back() == ';')) out.pop_back();
  return out;
}

error db_error(const std::string& where, const std::string& what) {
  return make_error(std::errc::io_error, fmt::format("PostgreSQL {}: {}", where, one_line(what)));
}

// The connection broke (or a commit's outcome is unknown): worth a reconnect
// and another try, unlike an error PostgreSQL answered.
error db_error(const std::string& where, const std::exception& e) {
  bool lost = dynamic_cast<const pqxx::broken_connection*>(&e) != nullptr ||
              dynamic_cast<const pqxx::in_doubt_error*>(&e) != nullptr;
  return make_error(lost ? std::errc::connection_aborted : std::errc::io_error,
                    fmt::format("PostgreSQL {}: {}", where, one_line(e.what())));
}

// SQLSTATE classes 22 (data exception: "abc" for an integer) and 23
// (integrity constraint: a duplicate key, a NULL in a NOT NULL column) are
// the record's fault; anything else (permissions, a dropped table) is not,
// and stops the sink whatever the record.
bool record_at_fault(const pqxx::sql_error& e) {
  const std::string state = e.sqlstate();
  return state.rfind("22", 0) == 0 || state.rfind("23", 0) == 0;
}

std::string quote_qualified(const std::string& name) {
  std::string out;
  size_t start = 0;
  for (;;) {
    size_t dot = name.find('.', start);
    out += quote_identifier(name.substr(start, dot == std::string::npos ? std::string::npos : dot - start));
    if (dot == std::string::npos) return out;
    out += '.';
    start = dot + 1;
  }
}

std::string key_text(const row& r, const std::vector<size_t>& key_columns) {
  std::string out;
  for (size_t k : key_columns)
    for (size_t i = 0; i < r.columns.size(); ++i)
      if (r.columns[i] == k) out += (r.values[i] ? "v" + *r.values[i] : std::string("n")) + '\x01';
  return out;
}

std::vector<const char*> parameters(const std::vector<const row*>& rows) {
  std::vector<const char*> out;
  for (const row* r : rows)
    for (const auto& v : r->values) out.push_back(v ? v->c_str() : nullptr);
  return out;
}

}  // namespace

status check_connection_string(const std::string& connection) {
  char* message = nullptr;
  PQconninfoOption* options = PQconninfoParse(connection.c_str(), &message);
  if (options == nullptr) {
    std::string why = message ? message : "out of memory";
    if (message) PQfreemem(message);
    while (!why.empty() && why.back() == '\n') why.pop_back();
    return make_error(std::errc::invalid_argument,
                      fmt::format("--connection is not a PostgreSQL connection string: {} (expected e.g. "
                                  "postgresql://user@host:5432/dbname or \"host=... dbname=...\")",
                                  why));
  }
  PQconninfoFree(options);
  return {};
}

std::string describe_connection(const std::string& connection) {
  PQconninfoOption* options = PQconninfoParse(connection.c_str(), nullptr);
  if (options == nullptr) return "(unparsable connection string)";
  std::map<std::string, std::string> v;
  for (auto* o = options; o->keyword != nullptr; ++o)
    if (o->val != nullptr) v[o->keyword] = o->val;
  PQconninfoFree(options);
  std::string user = v.count("user") ? v["user"] + "@" : "";
  std::string host = v.count("host") ? v["host"] : (v.count("hostaddr") ? v["hostaddr"] : "localhost");
  std::string port = v.count("port") ? ":" + v["port"] : "";
  std::string db = v.count("dbname") ? "/" + v["dbname"] : "";
  return user + host + port + db;
}

postgres_writer::~postgres_writer() = default;

result<std::unique_ptr<postgres_writer>> postgres_writer::open(const writer_settings& settings) {
  if (auto s = check_connection_string(settings.connection); !s) return s.err();
  std::unique_ptr<postgres_writer> w(new postgres_writer());
  w->settings_ = settings;
  w->where_ = describe_connection(settings.connection);
  try {
    w->impl_ = std::make_unique<impl>(settings.connection);
  } catch (const std::exception& e) {
    return db_error("at " + w->where_, std::string("cannot connect: ") + e.what());
  }
  try {
    pqxx::work tx(w->impl_->conn);
    auto found = tx.exec_params("SELECT to_regclass($1)::oid, to_regclass($1)::text", settings.table);
    if (found.empty() || found[0][0].is_null())
      return make_error(std::errc::no_such_file_or_directory,
                        fmt::format("PostgreSQL at {}: no table \"{}\" (create it first; docs/pipeline.md shows "
                                    "the columns the sink fills)",
                                    w->where_, settings.table));
    std::string oid = found[0][0].as<std::string>();
    w->table_.name = found[0][1].as<std::string>();
    auto columns = tx.exec_params(
        "SELECT attname, format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = $1::oid "
        "AND attnum > 0 AND NOT attisdropped AND attgenerated = '' ORDER BY attnum",
        oid);
    for (const auto& c : columns) w->table_.columns.push_back({c[0].as<std::string>(), c[1].as<std::string>()});
    if (w->table_.columns.empty())
      return make_error(std::errc::invalid_argument, fmt::format("table {} has no columns to fill", w->table_.name));
    if (!settings.upsert_key.empty()) {
      std::set<std::string> wanted(settings.upsert_key.begin(), settings.upsert_key.end());
      for (const auto& k : settings.upsert_key) {
        auto index = w->table_.find(k);
        if (!index)
          return make_error(std::errc::invalid_argument,
                            fmt::format("--upsert-key: table {} has no column \"{}\"", w->table_.name, k));
        w->key_columns_.push_back(*index);
      }
      auto uniques = tx.exec_params(
          "SELECT string_agg(a.attname, chr(1) ORDER BY a.attname) FROM pg_index i JOIN pg_attribute a "
          "ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey) WHERE i.indrelid = $1::oid AND i.indisunique "
          "AND i.indpred IS NULL GROUP BY i.indexrelid",
          oid);
      bool matched = false;
      for (const auto& u : uniques) {
        std::set<std::string> names;
        std::string all = u[0].as<std::string>();
        size_t start = 0;
        for (;;) {
          size_t sep = all.find('\x01', start);
          names.insert(all.substr(start, sep == std::string::npos ? std::string::npos : sep - start));
          if (sep == std::string::npos) break;
          start = sep + 1;
        }
        matched = matched || names == wanted;
      }
      if (!matched)
        return make_error(std::errc::invalid_argument,
                          fmt::format("--upsert-key {}: table {} has no unique index or primary key on exactly "
                                      "these columns (an upsert needs one: CREATE UNIQUE INDEX ... ({}))",
                                      fmt::join(settings.upsert_key, ","), w->table_.name,
                                      fmt::join(settings.upsert_key, ", ")));
    }
    w->offsets_table_ = quote_qualified(settings.offsets_table);
    tx.exec(create_offsets_table_statement(w->offsets_table_));
    tx.commit();
  } catch (const std::exception& e) {
    return db_error("at " + w->where_, e.what());
  }
  return w;
}

status postgres_writer::reconnect() {
  try {
    impl_.reset();
    impl_ = std::make_unique<impl>(settings_.connection);
    return {};
  } catch (const std::exception& e) {
    return make_error(std::errc::connection_aborted,
                      fmt::format("PostgreSQL at {}: cannot connect: {}", where_, one_line(e.what())));
  }
}

status postgres_writer::check_key(const row& r) const {
  for (size_t k : key_columns_)
    if (std::find(r.columns.begin(), r.columns.end(), k) == r.columns.end())
      return make_error(std::errc::invalid_argument,
                        fmt::format("the value has no \"{}\", a column of --upsert-key", table_.columns[k].name));
  return {};
}

result<std::optional<int64_t>> postgres_writer::stored_offset(const std::string& topic, int32_t partition) {
  try {
    pqxx::work tx(impl_->conn);
    auto r = tx.exec_params(select_offset_statement(offsets_table_), settings_.sink_name, topic, partition);
    tx.commit();
    if (r.empty()) return std::optional<int64_t>{};
    return std::optional<int64_t>(r[0][0].as<int64_t>());
  } catch (const std::exception& e) {
    return db_error(fmt::format("reading the stored offset of {}[{}]", topic, partition), e);
  }
}

namespace {

// Moves every partition's offset, fenced; returns the first partition whose
// stored offset is not the expected one.
std::optional<partition_key> advance_offsets(pqxx::transaction_base& tx, const std::string& offsets_table, const std::string& sink,
                                             const std::map<partition_key, int64_t>& next,
                                             const stored_offsets& expected) {
  for (const auto& [k, to] : next) {
    auto e = expected.find(k);
    std::optional<int64_t> from = e == expected.end() ? std::nullopt : e->second;
    pqxx::result r = from ? tx.exec_params(advance_offset_statement(offsets_table), sink, k.first, k.second, to, *from)
                          : tx.exec_params(first_offset_statement(offsets_table), sink, k.first, k.second, to);
    if (r.affected_rows() != 1) return k;
  }
  return std::nullopt;
}

// Consecutive rows setting the same columns share one statement; an upsert
// statement must not touch one key twice, so a repeated key starts a new one.
void insert_rows(pqxx::transaction_base& tx, const table_shape& table, const std::vector<size_t>& key_columns,
                 const std::vector<const row*>& rows) {
  size_t i = 0;
  while (i < rows.size()) {
    const auto& cols = rows[i]->columns;
    size_t per_statement = std::max<size_t>(1, std::min<size_t>(1000, max_statement_parameters / cols.size()));
    std::vector<const row*> run;
    std::set<std::string> keys;
    while (i < rows.size() && run.size() < per_statement && rows[i]->columns == cols) {
      if (!key_columns.empty() && !keys.insert(key_text(*rows[i], key_columns)).second) break;
      run.push_back(rows[i++]);
    }
    auto params = parameters(run);
    tx.exec_params(insert_statement(table, cols, run.size(), key_columns), pqxx::prepare::make_dynamic_params(params));
  }
}

std::map<partition_key, int64_t> next_offsets(const std::vector<pending_record>& batch, size_t count) {
  std::map<partition_key, int64_t> next;
  for (size_t i = 0; i < count; ++i) {
    auto& n = next[{batch[i].meta.topic, batch[i].meta.partition}];
    n = std::max(n, batch[i].meta.offset + 1);
  }
  return next;
}

}  // namespace

result<write_outcome> postgres_writer::write(const std::vector<pending_record>& batch, const stored_offsets& expected) {
  write_outcome out;
  if (batch.empty()) return out;
  auto fenced_outcome = [&](const partition_key& k) -> result<write_outcome> {
    auto now = stored_offset(k.first, k.second);
    if (!now) return now.err();
    out.what = write_outcome::kind::fenced;
    out.message = fmt::format("{}[{}] is stored at {} by another sink, not where this one left it", k.first, k.second,
                              *now ? std::to_string(**now) : "(no row)");
    out.now[k] = *now;
    return out;
  };
  std::vector<const row*> rows;
  for (const auto& p : batch)
    if (p.values) rows.push_back(&*p.values);
  std::optional<partition_key> fenced;
  bool retry_one_by_one = false;
  try {
    pqxx::work tx(impl_->conn);
    auto next = next_offsets(batch, batch.size());
    fenced = advance_offsets(tx, offsets_table_, settings_.sink_name, next, expected);
    if (!fenced) {
      try {
        insert_rows(tx, table_, key_columns_, rows);
      } catch (const pqxx::sql_error& e) {
        if (!record_at_fault(e)) throw;
        retry_one_by_one = true;
      }
      if (!retry_one_by_one) {
        tx.commit();
        for (const auto& [k, to] : next) out.now[k] = to;
        return out;
      }
    }
  } catch (const std::exception& e) {
    return db_error(fmt::format("writing {} records into {}", batch.size(), table_.name), e);
  }
  if (fenced) return fenced_outcome(*fenced);

  // A record was refused: find the first one, each in its own savepoint, and
  // commit the records before it with their offsets.
  try {
    pqxx::work tx(impl_->conn);
    size_t i = 0;
    for (; i < batch.size(); ++i) {
      if (!batch[i].values) continue;
      // Plain savepoints: the refused record's statement is undone, the
      // transaction (with the records before it) carries on.
      tx.exec0("SAVEPOINT samsa_record");
      try {
        insert_rows(tx, table_, key_columns_, {&*batch[i].values});
        tx.exec0("RELEASE SAVEPOINT samsa_record");
      } catch (const pqxx::sql_error& e) {
        if (!record_at_fault(e)) throw;
        out.message = one_line(e.what());
        tx.exec0("ROLLBACK TO SAVEPOINT samsa_record");
        break;
      }
    }
    auto next = next_offsets(batch, i);
    fenced = advance_offsets(tx, offsets_table_, settings_.sink_name, next, expected);
    if (!fenced) {
      tx.commit();
      for (const auto& [k, to] : next) out.now[k] = to;
      if (i < batch.size()) {
        out.what = write_outcome::kind::misfit;
        out.misfit_index = i;
      }
      return out;
    }
  } catch (const std::exception& e) {
    return db_error(fmt::format("writing records into {} one by one", table_.name), e);
  }
  return fenced_outcome(*fenced);
}

}  // namespace samsa::connect
