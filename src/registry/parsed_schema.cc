#include "registry/parsed_schema.h"

#include "registry/avro_schema.h"
#include "registry/json_schema.h"
#include "registry/protobuf_schema.h"

namespace samsa::registry {

result<parsed_schema> parse_schema(schema_type type, std::string_view text,
                                   const std::vector<resolved_dependency>& dependencies) {
  if (dependencies.size() > max_references)
    return make_error(std::errc::invalid_argument, "more than " + std::to_string(max_references) + " referenced schemas");
  parsed_schema out;
  out.type_ = type;
  std::vector<std::pair<std::string, std::string>> named;
  for (const auto& d : dependencies) {
    if (d.type != type)
      return make_error(std::errc::invalid_argument, "referenced schema " + d.name + " is " +
                                                          std::string(type_name(d.type)) + ", not " +
                                                          std::string(type_name(type)));
    named.emplace_back(d.name, d.text);
  }
  switch (type) {
    case schema_type::avro: {
      std::vector<std::string> texts;
      for (const auto& d : dependencies) texts.push_back(d.text);
      auto s = avro::parse(text, texts);
      if (!s) return s.err();
      out.normalized_ = avro::normalized(**s);
      out.impl_ = std::move(*s);
      break;
    }
    case schema_type::json: {
      auto s = json_schema::parse(text, named);
      if (!s) return s.err();
      out.normalized_ = json_schema::normalized(**s);
      out.impl_ = std::move(*s);
      break;
    }
    case schema_type::protobuf: {
      auto s = protobuf::parse(text, named);
      if (!s) return s.err();
      out.normalized_ = protobuf::normalized(**s);
      out.impl_ = std::move(*s);
      break;
    }
  }
  return out;
}

const avro::schema* parsed_schema::as_avro() const {
  auto* p = std::get_if<0>(&impl_);
  return p ? p->get() : nullptr;
}
const json_schema::schema* parsed_schema::as_json() const {
  auto* p = std::get_if<1>(&impl_);
  return p ? p->get() : nullptr;
}
const protobuf::schema* parsed_schema::as_protobuf() const {
  auto* p = std::get_if<2>(&impl_);
  return p ? p->get() : nullptr;
}

std::vector<std::string> read_problems(const parsed_schema& reader, const parsed_schema& writer) {
  if (reader.type_ != writer.type_) {
    return {"TYPE_MISMATCH: a " + std::string(type_name(reader.type_)) + " schema cannot read " +
            std::string(type_name(writer.type_)) + " data"};
  }
  switch (reader.type_) {
    case schema_type::avro:
      return avro::read_problems(*std::get<0>(reader.impl_), *std::get<0>(writer.impl_));
    case schema_type::json:
      return json_schema::read_problems(*std::get<1>(reader.impl_), *std::get<1>(writer.impl_));
    case schema_type::protobuf:
      return protobuf::read_problems(*std::get<2>(reader.impl_), *std::get<2>(writer.impl_));
  }
  return {};
}

}  // namespace samsa::registry
