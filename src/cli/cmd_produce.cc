// `samsa produce TOPIC`: one record per input line (or per --delimiter), from
// stdin or a file.
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <tuple>
#include <fstream>
#include <iostream>
#include <mutex>
#include <sys/stat.h>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "cli/config_args.h"
#include "cli/progress.h"
#include "cli/record_format.h"
#include "cli/record_template_input.h"
#include "cli/usage.h"
#include "client/admin.h"
#include "client/kafka_error.h"
#include "client/producer.h"
#include "registry/schema_codec.h"

namespace samsa::cli {
namespace {
namespace file_cmd_produce {

struct args {
  std::string topic;
  std::optional<std::string> file;
  std::optional<std::string> key_separator;
  std::optional<std::string> key;
  std::string delimiter = "\n";
  bool whole = false;
  bool tombstones = false;
  std::vector<std::string> headers;
  std::optional<int32_t> partition;
  std::string acks = "all";
  std::string compression = "none";
  bool quiet = false;
  std::string input = "text";  // text: lines (with -K/-k); json: what `consume -o json` prints
  std::optional<std::string> format;  // a consume-style template read backwards
  // Schema Registry: values are JSON, encoded in Confluent's wire format.
  std::optional<std::string> value_schema;  // a schema file, registered under <topic>-value
  std::optional<int32_t> schema_id;         // or a registered schema's id
  std::string schema_type;                  // AVRO, JSON, PROTOBUF (default: from the file's extension)
  std::string message;                      // Protobuf: the message's full name (default: the first)
  std::string registry;
};

// --value-schema / --schema-id: the codec and the id every value is encoded with.
result<std::pair<std::shared_ptr<registry::schema_codec>, int32_t>> value_encoder(const args& a, const cli_context& ctx) {
  std::string url = a.registry;
  if (url.empty()) {
    const char* env = std::getenv("SAMSA_SCHEMA_REGISTRY_URL");
    url = env && *env ? env : "http://127.0.0.1:8081";
  }
  auto codec = std::make_shared<registry::schema_codec>(url, std::chrono::milliseconds(ctx.timeout_ms));
  if (a.schema_id) return std::make_pair(codec, *a.schema_id);
  std::ifstream in(*a.value_schema, std::ios::binary);
  if (!in) return client::make_usage_error("--value-schema", "cannot read " + *a.value_schema);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::string type = a.schema_type;
  if (type.empty()) {
    const std::string& f = *a.value_schema;
    auto ends = [&f](const std::string& e) { return f.size() >= e.size() && f.compare(f.size() - e.size(), e.size(), e) == 0; };
    type = ends(".proto") ? "PROTOBUF" : ends(".json") ? "JSON" : "AVRO";
  }
  auto parsed_type = registry::parse_type_name(type);
  if (!parsed_type) return client::make_usage_error("--schema-type", "AVRO, JSON or PROTOBUF, got " + type);
  auto id = codec->register_schema(a.topic + "-value", *parsed_type, text);
  if (!id) return id.err();
  return std::make_pair(codec, *id);
}

// Reads a field written by record_document: text, base64 with "<name>_encoding", or null.
result<std::optional<std::string>> json_bytes(const nlohmann::json& j, const std::string& name, size_t record) {
  if (!j.contains(name) || j[name].is_null()) return std::optional<std::string>{};
  if (!j[name].is_string())
    return client::make_usage_error("--input json", fmt::format("record {}: \"{}\" must be a string or null", record, name));
  std::string v = j[name].get<std::string>();
  auto enc = j.find(name + "_encoding");
  if (enc != j.end() && *enc == "base64") {
    auto raw = from_base64(v);
    if (!raw) return client::make_usage_error("--input json", fmt::format("record {}: \"{}\" is not base64", record, name));
    return std::optional<std::string>{*raw};
  }
  return std::optional<std::string>{v};
}

// One JSON record per line (the shape `samsa consume -o json` prints):
// key, value, headers [{key, value}], partition; other fields are ignored.
status from_json_line(const std::string& line, size_t record, client::outgoing_message& m) {
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(line);
  } catch (const nlohmann::json::exception& e) {
    return client::make_usage_error("--input json", fmt::format("record {} is not JSON: {}", record, e.what()),
                                    "one object per line, e.g. {\"key\":\"a\",\"value\":\"1\",\"headers\":[]}");
  }
  if (!j.is_object()) return client::make_usage_error("--input json", fmt::format("record {} is not an object", record));
  auto key = json_bytes(j, "key", record);
  if (!key) return key.err();
  auto value = json_bytes(j, "value", record);
  if (!value) return value.err();
  if (*key) m.key = **key;
  m.value = *value;
  if (j.contains("partition") && j["partition"].is_number_integer()) m.partition = j["partition"].get<int32_t>();
  if (j.contains("headers") && j["headers"].is_array()) {
    for (const auto& h : j["headers"]) {
      auto hk = json_bytes(h, "key", record);
      auto hv = json_bytes(h, "value", record);
      if (!hk) return hk.err();
      if (!hv) return hv.err();
      m.headers.push_back({hk->value_or(""), *hv});
    }
  }
  return {};
}

// Reads up to the next `delimiter` (any length). False at the end of input
// with nothing read. With "\n", a "\r" before it is dropped too (Windows files).
bool read_record(std::istream& in, const std::string& delimiter, std::string& out) {
  out.clear();
  if (delimiter.empty()) {  // --whole: everything is one record
    out.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    return true;  // one record, even when empty (with -Z: a tombstone)
  }
  bool got = false;
  char c;
  while (in.get(c)) {
    got = true;
    out += c;
    if (out.size() >= delimiter.size() && out.compare(out.size() - delimiter.size(), delimiter.size(), delimiter) == 0) {
      out.resize(out.size() - delimiter.size());
      if (delimiter == "\n" && !out.empty() && out.back() == '\r') out.pop_back();
      return true;
    }
  }
  if (delimiter == "\n" && !out.empty() && out.back() == '\r') out.pop_back();
  return got;
}

// C-style escapes in -D ("\n", "\t", "\0", "\r", "\\").
std::string unescape(const std::string& s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '\\' || i + 1 == s.size()) {
      out += s[i];
      continue;
    }
    char n = s[++i];
    out += n == 'n' ? '\n' : n == 't' ? '\t' : n == 'r' ? '\r' : n == '0' ? '\0' : n;
  }
  return out;
}

// Producing to a topic that does not exist makes the broker create it
// (auto.create.topics.enable): say so, and suggest near names.
void warn_if_missing(cli_context& ctx, const std::string& topic) {
  auto admin = ctx.make_admin();
  if (!admin) return;
  auto topics = admin->list_topics(false);
  if (!topics) return;
  std::vector<std::string> names;
  for (const auto& t : *topics) {
    if (t.name == topic) return;
    names.push_back(t.name);
  }
  auto near = close_names(topic, names);
  std::cerr << fmt::format("warning: topic {} does not exist; the broker will create it with default settings if it "
                           "allows auto-creation",
                           topic);
  if (!near.empty()) std::cerr << fmt::format(" — did you mean {}?", near.front());
  std::cerr << "\n";
}

int run(const args& a, cli_context& ctx) {
  auto headers = parse_pairs(a.headers, "--header", "source=web");
  if (!headers) return ctx.fail(headers.err());
  if (a.key && a.key_separator) {
    std::cerr << "error: --key and --key-separator cannot be combined (one fixed key, or a key per line)\n";
    return exit_usage;
  }
  std::optional<record_template_reader> reader;
  if (a.format) {
    if (a.input != "text" || a.key_separator || a.whole || a.delimiter != "\n") {
      std::cerr << "error: --format describes the whole input: it cannot be combined with --input, --key-separator, "
                   "--delimiter or --whole\n";
      return exit_usage;
    }
    auto parsed = record_template_reader::parse(*a.format);
    if (!parsed) return ctx.fail(parsed.err());
    if (a.key && parsed->has_field("key")) {
      std::cerr << "error: --key and a {key} in --format cannot be combined\n";
      return exit_usage;
    }
    if (a.partition && parsed->has_field("partition")) {
      std::cerr << "error: --partition and a {partition} in --format cannot be combined\n";
      return exit_usage;
    }
    reader = std::move(*parsed);
  }
  if (a.value_schema && a.schema_id) {
    std::cerr << "error: --value-schema and --schema-id cannot be combined\n";
    return exit_usage;
  }
  auto config = ctx.config();
  if (!config) return ctx.fail(config.err());
  std::shared_ptr<registry::schema_codec> codec;
  int32_t schema_id = 0;
  if (a.value_schema || a.schema_id) {
    auto encoder = value_encoder(a, ctx);
    if (!encoder) return ctx.fail(encoder.err());
    std::tie(codec, schema_id) = *encoder;
  }
  // Records that cannot be delivered fail after --timeout-ms, not librdkafka's 5 minutes.
  if (!config->get("message.timeout.ms")) config->set("message.timeout.ms", std::to_string(ctx.timeout_ms), "--timeout-ms");
  warn_if_missing(ctx, a.topic);
  auto producer = client::producer::create(*config, {.acks = a.acks, .compression = a.compression});
  if (!producer) return ctx.fail(producer.err());

  std::ifstream file;
  std::istream* in = &std::cin;
  uint64_t total_bytes = 0;
  if (a.file) {
    file.open(*a.file, std::ios::binary);
    if (!file) {
      std::cerr << fmt::format("error: cannot open {} — check the path given with --file\n", *a.file);
      return exit_usage;
    }
    struct stat st {};
    if (::stat(a.file->c_str(), &st) == 0) total_bytes = static_cast<uint64_t>(st.st_size);
    in = &file;
  }
  // Per-record lines for interactive use; a progress bar and a summary for files.
  bool per_record = !a.quiet && !a.file;
  progress_bar bar(total_bytes, a.file && ::isatty(STDERR_FILENO) == 1);
  std::string delimiter = a.whole ? "" : unescape(a.delimiter);

  std::mutex out_mutex;
  std::atomic<uint64_t> failed{0};
  std::optional<samsa::error> first_error;
  uint64_t sent = 0;
  uint64_t bytes = 0;
  uint64_t without_key = 0;
  std::string line;
  while (true) {
    client::outgoing_message m;
    m.topic = a.topic;
    m.partition = a.partition;
    for (const auto& [k, v] : *headers) m.headers.push_back({k, v});
    if (a.key) m.key = *a.key;
    if (reader) {
      auto more = reader->next(*in, m);
      if (!more) {
        (void)producer->flush(std::chrono::milliseconds(ctx.timeout_ms + 2000));
        std::cerr << fmt::format("{} records sent before the error\n", sent);
        return ctx.fail(more.err());
      }
      if (!*more) break;
      if (a.tombstones && m.value && m.value->empty()) m.value.reset();
      if (auto pos = in->tellg(); pos >= 0) bytes = static_cast<uint64_t>(pos);
    } else {
      if (!read_record(*in, delimiter, line)) break;
      bytes += line.size() + delimiter.size();
    }
    if (a.input == "json") {
      if (line.empty()) continue;
      auto partition = m.partition;
      if (auto s = from_json_line(line, sent + 1, m); !s) return ctx.fail(s.err());
      if (partition) m.partition = partition;  // -p wins over the record's own partition
    }
    if (!reader && a.input == "text" && a.key_separator && !a.key_separator->empty()) {
      auto pos = line.find(*a.key_separator);
      if (pos != std::string::npos) {
        m.key = line.substr(0, pos);
        line.erase(0, pos + a.key_separator->size());
      } else if (++without_key <= 3) {
        // kcat sends such a line with a null key too, but silently.
        std::cerr << fmt::format("warning: record {} has no key separator \"{}\": sent with a null key\n", sent + 1,
                                 *a.key_separator);
      }
    }
    if (!reader && a.input == "text" && !(a.tombstones && line.empty())) m.value = line;  // -Z: empty value = tombstone (null)
    if (codec && m.value) {
      auto encoded = codec->encode(schema_id, *m.value, a.message);
      if (!encoded) {
        (void)producer->flush(std::chrono::milliseconds(ctx.timeout_ms + 2000));
        std::cerr << fmt::format("{} records sent before the error\n", sent);
        return ctx.fail(make_error(std::errc::invalid_argument,
                                   fmt::format("record {}: {}", sent + 1, encoded.err().message)));
      }
      m.value = std::move(*encoded);
    }
    std::string key = m.key.value_or("");
    auto s = producer->send(m, [&, key](const result<client::delivery_report>& r) {
      std::lock_guard lock(out_mutex);
      if (!r) {
        if (failed++ == 0) first_error = r.err();
        return;
      }
      if (per_record)
        std::cout << fmt::format("{}partition {} offset {}\n", key.empty() ? "" : "key " + key + " -> ", r->partition,
                                 r->offset)
                  << std::flush;
    });
    if (!s) return ctx.fail(s.err());
    ++sent;
    bar.update(bytes, sent);
    // Interactive input: wait for each acknowledgement so the offset shows right away.
    if (per_record && ::isatty(STDIN_FILENO) == 1) (void)producer->flush(std::chrono::milliseconds(ctx.timeout_ms));
    if (a.whole) break;
  }
  if (without_key > 3) std::cerr << fmt::format("warning: {} records in all had no key separator\n", without_key);
  auto flushed = producer->flush(std::chrono::milliseconds(ctx.timeout_ms + 2000));
  bar.finish(bytes, sent);
  if (failed > 0) {
    std::lock_guard lock(out_mutex);
    std::cerr << fmt::format("{} of {} records failed\n", failed.load(), sent);
    return ctx.fail(*first_error);
  }
  if (!flushed) return ctx.fail(flushed.err());
  if (!per_record && !a.quiet) std::cout << fmt::format("produced {} records to {}\n", sent, a.topic);
  return exit_ok;
}

}  // namespace file_cmd_produce
}  // namespace

void register_produce(CLI::App& app, cli_context& ctx) {
  using namespace file_cmd_produce;
  auto a = std::make_shared<args>();
  auto* cmd = app.add_subcommand("produce", "Send one record per line of stdin (or --file) to a topic");
  cmd->add_option("topic", a->topic, "Topic name")->required();
  cmd->add_option("-f,--file", a->file, "Read records from this file instead of stdin");
  cmd->add_option("-K,--key-separator", a->key_separator,
                  "Split each record into key and value at this string (kcat -K); records without it get a null key");
  cmd->add_option("-k,--key", a->key, "Use this key for every record (kcat -k)");
  cmd->add_option("-D,--delimiter", a->delimiter, "Record delimiter instead of a newline, e.g. ';' or '\\0' (kcat -D)");
  cmd->add_flag("--whole", a->whole, "Send the whole input (file or stdin) as one record");
  cmd->add_flag("-Z,--null-empty", a->tombstones, "Send empty values as null (tombstones, kcat -Z)");
  cmd->add_option("-H,--header", a->headers, "Header name=value added to every record (repeatable; names may repeat)");
  cmd->add_option("-p,--partition", a->partition, "Send to this partition (default: by hash of the key)");
  cmd->add_option("--acks", a->acks, "Acknowledgements: 0, 1 or all")
      ->check(CLI::IsMember({"0", "1", "all", "-1"}))
      ->default_val("all");
  cmd->add_option("-z,--compression", a->compression, "Compression codec")
      ->check(CLI::IsMember({"none", "gzip", "snappy", "lz4", "zstd"}))
      ->default_val("none");
  cmd->add_option("--input", a->input,
                  "Input format: text (one record per line) or json (one object per line with key, value, headers "
                  "and partition, as `samsa consume -o json` prints)")
      ->check(CLI::IsMember({"text", "json"}))
      ->default_val("text");
  cmd->add_option("--format", a->format,
                  "Read records by a template, as `consume --format` writes them (rpk produce -f): {key} {value} "
                  "{headers} {partition} {timestamp} {key_length} {value_length}; :base64 :hex, {value:json}");
  cmd->add_flag("-q,--quiet", a->quiet, "Print nothing on success");
  cmd->add_option("--value-schema", a->value_schema,
                  "Values are JSON: register this schema file under <topic>-value and send them in the Schema "
                  "Registry's wire format (.avsc AVRO, .json JSON, .proto PROTOBUF)");
  cmd->add_option("--schema-id", a->schema_id, "Values are JSON: encode them with this registered schema");
  cmd->add_option("--schema-type", a->schema_type, "AVRO, JSON or PROTOBUF (default: from --value-schema's extension)");
  cmd->add_option("--message", a->message, "Protobuf: the message type's full name (default: the schema's first)");
  cmd->add_option("--registry", a->registry,
                  "Schema Registry URL (default $SAMSA_SCHEMA_REGISTRY_URL or http://127.0.0.1:8081; put USER:PASSWORD@ before the host for credentials)");
  set_example(cmd, "printf 'alice:paid 10\\nbob:paid 5\\n' | samsa produce payments --key-separator :");
  cmd->callback([a, &ctx] { ctx.exit_status = run(*a, ctx); });
}

}  // namespace samsa::cli
