// `samsa schema register|get|list|delete|check`: the Schema Registry's REST
// API from the command line (--registry, default $SAMSA_SCHEMA_REGISTRY_URL
// or http://127.0.0.1:8081, the registry `samsa serve` runs).
#include <cstdlib>
#include <optional>
#include <fstream>
#include <iostream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "registry/rest_client.h"

namespace samsa::cli {

namespace {
namespace file_cmd_schema {

using nlohmann::json;

struct schema_options {
  std::string registry;
  output_format format = output_format::table;
};

// The registry's answers are read by type: a field of another type is
// treated as absent (a misbehaving registry gets a clear message, not a crash).
std::optional<std::string> text_field(const json& j, const char* name) {
  if (!j.is_object() || !j.contains(name) || !j[name].is_string()) return std::nullopt;
  return j[name].get<std::string>();
}
std::string number_field(const json& j, const char* name) {
  if (!j.is_object() || !j.contains(name) || !j[name].is_number_integer()) return "?";
  return j[name].dump();
}

std::string default_registry() {
  const char* env = std::getenv("SAMSA_SCHEMA_REGISTRY_URL");
  return env && *env ? env : "http://127.0.0.1:8081";
}

// Calls the registry; a registry error becomes a CLI error with its code.
result<json> call(const cli_context& ctx, const schema_options& o, const std::string& method,
                  const std::string& target, const json& body = nullptr) {
  auto answer = registry::rest_call(o.registry, method, target, body.is_null() ? "" : body.dump(-1, ' ', false, json::error_handler_t::replace),
                                    std::chrono::milliseconds(ctx.timeout_ms));
  if (!answer) {
    if (answer.err().code == std::errc::invalid_argument || answer.err().code == std::errc::bad_message)
      return answer.err();
    return make_error(std::errc::connection_refused, answer.err().message);
  }
  json j = json::parse(answer->body, nullptr, false);
  if (answer->status >= 300) {
    std::string message = text_field(j, "message").value_or(answer->body.substr(0, 200));
    int code = answer->status;
    if (j.is_object() && j.contains("error_code") && j["error_code"].is_number_integer() &&
        std::abs(j["error_code"].get<int64_t>()) < 1'000'000)
      code = static_cast<int>(j["error_code"].get<int64_t>());
    // 404xx: not found (exit 4); the rest: the operation failed (exit 1).
    auto kind = answer->status == 404 ? std::errc::no_such_file_or_directory : std::errc::operation_not_permitted;
    return make_error(kind, message + " (error_code " + std::to_string(code) + ")");
  }
  if (j.is_discarded())
    return make_error(std::errc::bad_message, "the registry's answer is not JSON: " + answer->body.substr(0, 200));
  return j;
}

samsa::error unexpected_answer(const std::string& what, const json& answer) {
  return make_error(std::errc::bad_message, "unexpected answer from the schema registry (" + what + "): " +
                                                 answer.dump(-1, ' ', false, json::error_handler_t::replace).substr(0, 200));
}

int finish(cli_context& ctx, const samsa::error& e) {
  std::cerr << "error: " << e.message << "\n";
  if (e.code == std::errc::connection_refused || e.code == std::errc::timed_out) return exit_unreachable;
  if (e.code == std::errc::no_such_file_or_directory) return exit_not_found;
  if (e.code == std::errc::invalid_argument) return exit_usage;
  (void)ctx;
  return exit_failure;
}

result<std::string> read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return make_error(std::errc::invalid_argument, "cannot read schema file " + path);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// AVRO for .avsc, PROTOBUF for .proto, JSON for .json; --type wins.
result<std::string> type_for(const std::string& given, const std::string& path) {
  if (!given.empty()) {
    if (given != "AVRO" && given != "JSON" && given != "PROTOBUF")
      return make_error(std::errc::invalid_argument, "--type is AVRO, JSON or PROTOBUF, got " + given);
    return given;
  }
  auto ends = [&path](const char* ext) {
    std::string e(ext);
    return path.size() >= e.size() && path.compare(path.size() - e.size(), e.size(), e) == 0;
  };
  if (ends(".proto")) return std::string("PROTOBUF");
  if (ends(".json")) return std::string("JSON");
  return std::string("AVRO");
}

// NAME=SUBJECT:VERSION
result<json> references_from(const std::vector<std::string>& refs) {
  json out = json::array();
  for (const auto& r : refs) {
    size_t eq = r.find('=');
    size_t colon = r.rfind(':');
    if (eq == std::string::npos || colon == std::string::npos || colon < eq)
      return make_error(std::errc::invalid_argument, "--ref is NAME=SUBJECT:VERSION, got " + r);
    int version = std::atoi(r.substr(colon + 1).c_str());
    out.push_back({{"name", r.substr(0, eq)}, {"subject", r.substr(eq + 1, colon - eq - 1)}, {"version", version}});
  }
  return out;
}

result<json> schema_body(const std::string& file, const std::string& type, const std::vector<std::string>& refs) {
  auto text = read_file(file);
  if (!text) return text.err();
  auto t = type_for(type, file);
  if (!t) return t.err();
  auto r = references_from(refs);
  if (!r) return r.err();
  json body{{"schema", *text}, {"schemaType", *t}};
  if (!r->empty()) body["references"] = *r;
  return body;
}

void add_registry_option(CLI::App* cmd, schema_options& o) {
  cmd->add_option("--registry", o.registry, "Schema Registry URL (default $SAMSA_SCHEMA_REGISTRY_URL or http://127.0.0.1:8081; put USER:PASSWORD@ before the host for credentials)");
  add_output_option(cmd, o.format);
}

void print(const schema_options& o, const json& j, const std::string& text) {
  if (o.format != output_format::table) {
    print_document(std::cout, o.format, j);
  } else {
    std::cout << text;
  }
}

}  // namespace file_cmd_schema
}  // namespace

void register_schema_commands(CLI::App& app, cli_context& ctx) {
  using namespace file_cmd_schema;
  auto* schema = app.add_subcommand("schema", "Register, read, check and delete schemas in the Schema Registry");
  schema->require_subcommand(1);

  {  // register
    struct opts : schema_options {
      std::string subject, file, type;
      std::vector<std::string> refs;
      bool normalize = false;
    };
    auto o = std::make_shared<opts>();
    auto* cmd = schema->add_subcommand("register", "Register a schema file under a subject (prints its id)");
    cmd->add_option("subject", o->subject, "Subject, e.g. payments-value")->required();
    cmd->add_option("file", o->file, "Schema file (.avsc AVRO, .json JSON, .proto PROTOBUF)")->required();
    cmd->add_option("--type", o->type, "AVRO, JSON or PROTOBUF (default: from the file's extension)");
    cmd->add_option("--ref", o->refs, "A reference NAME=SUBJECT:VERSION (repeatable)");
    cmd->add_flag("--normalize", o->normalize, "Store the normalized form");
    add_registry_option(cmd, *o);
    set_example(cmd, "samsa schema register payments-value payment.avsc");
    cmd->callback([o, &ctx] {
      if (o->registry.empty()) o->registry = default_registry();
      auto body = schema_body(o->file, o->type, o->refs);
      if (!body) return void(ctx.exit_status = finish(ctx, body.err()));
      auto j = call(ctx, *o, "POST",
                    "/subjects/" + registry::encode_path_segment(o->subject) + "/versions" +
                        (o->normalize ? "?normalize=true" : ""),
                    *body);
      if (!j) return void(ctx.exit_status = finish(ctx, j.err()));
      if (number_field(*j, "id") == "?") return void(ctx.exit_status = finish(ctx, unexpected_answer("no numeric id", *j)));
      print(*o, *j, "registered " + o->subject + ": id " + number_field(*j, "id") + "\n");
    });
  }
  {  // get
    struct opts : schema_options {
      std::string subject, version = "latest";
      int id = 0;
    };
    auto o = std::make_shared<opts>();
    auto* cmd = schema->add_subcommand("get", "Show a subject's version (default latest) or a schema by --id");
    cmd->add_option("subject", o->subject, "Subject");
    cmd->add_option("--version", o->version, "Version number or latest");
    cmd->add_option("--id", o->id, "Schema id (instead of a subject)");
    add_registry_option(cmd, *o);
    set_example(cmd, "samsa schema get payments-value --version 2");
    cmd->callback([o, &ctx] {
      if (o->registry.empty()) o->registry = default_registry();
      if (o->subject.empty() == (o->id == 0))
        return void(ctx.exit_status = finish(ctx, make_error(std::errc::invalid_argument, "give a subject or --id")));
      std::string target = o->id ? "/schemas/ids/" + std::to_string(o->id)
                                 : "/subjects/" + registry::encode_path_segment(o->subject) + "/versions/" +
                                       registry::encode_path_segment(o->version);
      auto j = call(ctx, *o, "GET", target);
      if (!j) return void(ctx.exit_status = finish(ctx, j.err()));
      std::string text;
      if (!text_field(*j, "schema"))
        return void(ctx.exit_status = finish(ctx, unexpected_answer("no schema text", *j)));
      if (j->contains("subject"))
        text += text_field(*j, "subject").value_or("?") + " version " + number_field(*j, "version") + ", ";
      if (j->contains("id")) text += "id " + number_field(*j, "id") + ", ";
      text += text_field(*j, "schemaType").value_or("AVRO") + "\n" + text_field(*j, "schema").value_or("") + "\n";
      print(*o, *j, text);
    });
  }
  {  // list
    struct opts : schema_options {
      std::string subject;
      bool deleted = false;
    };
    auto o = std::make_shared<opts>();
    auto* cmd = schema->add_subcommand("list", "List subjects, or a subject's versions");
    cmd->alias("ls");
    cmd->add_option("subject", o->subject, "Subject (lists its versions)");
    cmd->add_flag("--deleted", o->deleted, "Include soft-deleted ones");
    add_registry_option(cmd, *o);
    set_example(cmd, "samsa schema list");
    cmd->callback([o, &ctx] {
      if (o->registry.empty()) o->registry = default_registry();
      std::string target = o->subject.empty() ? "/subjects"
                                              : "/subjects/" + registry::encode_path_segment(o->subject) + "/versions";
      if (o->deleted) target += "?deleted=true";
      auto j = call(ctx, *o, "GET", target);
      if (!j) return void(ctx.exit_status = finish(ctx, j.err()));
      if (!j->is_array()) return void(ctx.exit_status = finish(ctx, unexpected_answer("not a list", *j)));
      std::string text;
      for (const auto& v : *j) text += (v.is_string() ? v.get<std::string>() : v.dump()) + "\n";
      print(*o, *j, text);
    });
  }
  {  // delete
    struct opts : schema_options {
      std::string subject, version;
      bool permanent = false;
    };
    auto o = std::make_shared<opts>();
    auto* cmd = schema->add_subcommand("delete", "Delete a subject or one version (soft; --permanent after that)");
    cmd->add_option("subject", o->subject, "Subject")->required();
    cmd->add_option("--version", o->version, "Only this version (number or latest)");
    cmd->add_flag("--permanent", o->permanent, "Delete for good (after a soft delete)");
    add_registry_option(cmd, *o);
    set_example(cmd, "samsa schema delete payments-value --version 1");
    cmd->callback([o, &ctx] {
      if (o->registry.empty()) o->registry = default_registry();
      std::string target = "/subjects/" + registry::encode_path_segment(o->subject);
      if (!o->version.empty()) target += "/versions/" + registry::encode_path_segment(o->version);
      if (o->permanent) target += "?permanent=true";
      auto j = call(ctx, *o, "DELETE", target);
      if (!j) return void(ctx.exit_status = finish(ctx, j.err()));
      print(*o, *j, "deleted " + o->subject + " " + (j->is_array() ? "versions " : "version ") + j->dump() +
                        (o->permanent ? " permanently" : "") + "\n");
    });
  }
  {  // check
    struct opts : schema_options {
      std::string subject, file, type, version;
      std::vector<std::string> refs;
    };
    auto o = std::make_shared<opts>();
    auto* cmd = schema->add_subcommand(
        "check", "Check a schema file against a subject's versions (exit 1 when incompatible)");
    cmd->add_option("subject", o->subject, "Subject")->required();
    cmd->add_option("file", o->file, "Schema file")->required();
    cmd->add_option("--type", o->type, "AVRO, JSON or PROTOBUF (default: from the file's extension)");
    cmd->add_option("--version", o->version, "Only against this version (default: what the subject's level says)");
    cmd->add_option("--ref", o->refs, "A reference NAME=SUBJECT:VERSION (repeatable)");
    add_registry_option(cmd, *o);
    set_example(cmd, "samsa schema check payments-value payment-v2.avsc");
    cmd->callback([o, &ctx] {
      if (o->registry.empty()) o->registry = default_registry();
      auto body = schema_body(o->file, o->type, o->refs);
      if (!body) return void(ctx.exit_status = finish(ctx, body.err()));
      std::string target = "/compatibility/subjects/" + registry::encode_path_segment(o->subject) + "/versions" +
                           (o->version.empty() ? "" : "/" + registry::encode_path_segment(o->version)) +
                           "?verbose=true";
      auto j = call(ctx, *o, "POST", target, *body);
      if (!j) return void(ctx.exit_status = finish(ctx, j.err()));
      if (!j->is_object() || !j->contains("is_compatible") || !(*j)["is_compatible"].is_boolean())
        return void(ctx.exit_status = finish(ctx, unexpected_answer("no is_compatible", *j)));
      bool ok = (*j)["is_compatible"].get<bool>();
      std::string text = ok ? "compatible\n" : "incompatible\n";
      if (j->contains("messages") && (*j)["messages"].is_array())
        for (const auto& m : (*j)["messages"]) text += "  " + (m.is_string() ? m.get<std::string>() : m.dump()) + "\n";
      print(*o, *j, text);
      if (!ok) ctx.exit_status = exit_failure;
    });
  }
}

}  // namespace samsa::cli
