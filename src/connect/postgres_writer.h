// The database side of `samsa sink postgres` (libpqxx): learns the target
// table's columns, keeps the sink's offsets table, and writes a batch of
// records' rows together with the partitions' next offsets in ONE
// transaction. The offset update is fenced (it only moves an offset that is
// still where this sink last saw it), so a sink that lost a partition to
// another one in a rebalance cannot write records the other one writes too.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "base/result.h"
#include "connect/row_mapping.h"

namespace samsa::connect {

struct writer_settings {
  std::string connection;     // libpq connection string or postgresql:// URI
  std::string table;          // [schema.]table, as SQL would name it
  std::string offsets_table = "samsa_sink_offsets";
  std::string sink_name;      // keys the offsets rows (the consumer group)
  std::vector<std::string> upsert_key;  // columns of a unique index; empty: plain INSERT
};

// A consumed record on its way in; no row = nothing to write (a null value)
// but its offset still counts as consumed.
struct pending_record {
  record_meta meta;
  std::optional<row> values;
  // Kept only for the dead-letter topic (the value as consumed); the writer ignores both.
  std::optional<std::string> original_value;
  bool dead_lettered = false;
};

using partition_key = std::pair<std::string, int32_t>;
// Next offset to read per partition, as stored in the database (nullopt: no row yet).
using stored_offsets = std::map<partition_key, std::optional<int64_t>>;

struct write_outcome {
  enum class kind {
    written,  // every record and the offsets are committed
    fenced,   // another sink moved a partition's offset: nothing written
    misfit,   // record `misfit_index` was refused; the ones before it are committed
  };
  kind what = kind::written;
  size_t misfit_index = 0;
  std::string message;   // misfit: PostgreSQL's reason; fenced: which partition
  stored_offsets now;    // the offsets after the commit (the fenced partition's true offset when fenced)
};

class postgres_writer {
 public:
  // Connects, reads the table's columns (a missing table is an error that
  // says so), checks the upsert key against its unique indexes and creates
  // the offsets table if needed.
  static result<std::unique_ptr<postgres_writer>> open(const writer_settings& settings);
  ~postgres_writer();

  const table_shape& table() const { return table_; }
  // Where the settings point, without the password ("postgres@127.0.0.1:5432/shop").
  const std::string& where() const { return where_; }

  // Fails when the row does not set every upsert-key column.
  status check_key(const row& r) const;

  result<std::optional<int64_t>> stored_offset(const std::string& topic, int32_t partition);

  // A new connection after one was lost (errors with std::errc::connection_aborted).
  status reconnect();

  // Writes `batch` (in order) and moves each partition's stored offset from
  // `expected` to one past its last record, atomically. A lost connection or
  // a commit whose outcome is unknown fails with std::errc::connection_aborted.
  result<write_outcome> write(const std::vector<pending_record>& batch, const stored_offsets& expected);

 private:
  struct impl;
  postgres_writer() = default;
  std::unique_ptr<impl> impl_;
  writer_settings settings_;
  table_shape table_;
  std::vector<size_t> key_columns_;
  std::string offsets_table_;  // quoted
  std::string where_;
};

// Checks a connection string with libpq's own parser; the error names the
// problem without echoing the string (it may hold a password).
status check_connection_string(const std::string& connection);
// "user@host:port/dbname" from a connection string (no password).
std::string describe_connection(const std::string& connection);

}  // namespace samsa::connect
