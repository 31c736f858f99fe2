#include "registry/wire_format.h"

#include <google/protobuf/descriptor.h>
#include <google/protobuf/dynamic_message.h>
#include <google/protobuf/util/json_util.h>

#include <cstring>
#include <limits>
#include <memory>

#include "registry/protobuf_schema.h"
#include "registry/schema.h"
#include "registry/zigzag.h"

namespace samsa::registry {

using nlohmann::json;
namespace gp = google::protobuf;

namespace {

error not_wire_format(const std::string& what) { return make_error(std::errc::bad_message, what); }

// --- Protobuf ------------------------------------------------------------

const gp::Descriptor* message_at(const gp::FileDescriptor* file, const std::vector<int32_t>& indexes) {
  if (indexes.empty() || indexes[0] < 0 || indexes[0] >= file->message_type_count()) return nullptr;
  const gp::Descriptor* d = file->message_type(indexes[0]);
  for (size_t i = 1; i < indexes.size(); ++i) {
    if (indexes[i] < 0 || indexes[i] >= d->nested_type_count()) return nullptr;
    d = d->nested_type(indexes[i]);
  }
  return d;
}

std::vector<int32_t> indexes_of(const gp::Descriptor* d) {
  std::vector<int32_t> out;
  while (d->containing_type()) {
    out.insert(out.begin(), d->index());
    d = d->containing_type();
  }
  out.insert(out.begin(), d->index());
  return out;
}

}  // namespace

result<wire_header> read_wire_header(std::span<const uint8_t> value) {
  if (value.size() < 5) return not_wire_format("not in the schema registry's wire format: " + std::to_string(value.size()) + " bytes, fewer than 5");
  if (value[0] != 0)
    return not_wire_format("not in the schema registry's wire format: magic byte " + std::to_string(value[0]) + ", expected 0");
  wire_header h;
  h.schema_id = static_cast<int32_t>((uint32_t(value[1]) << 24) | (uint32_t(value[2]) << 16) | (uint32_t(value[3]) << 8) |
                                     uint32_t(value[4]));
  return h;
}

std::string wire_prefix(int32_t schema_id) {
  std::string out(5, '\0');
  auto id = static_cast<uint32_t>(schema_id);
  out[1] = static_cast<char>(id >> 24);
  out[2] = static_cast<char>(id >> 16);
  out[3] = static_cast<char>(id >> 8);
  out[4] = static_cast<char>(id);
  return out;
}

result<std::vector<int32_t>> read_message_indexes(std::span<const uint8_t> value, size_t& offset) {
  byte_reader in(value, offset);
  auto count = in.zigzag();
  if (!count) return count.err();
  std::vector<int32_t> out;
  if (*count == 0) {
    out.push_back(0);
  } else {
    if (*count < 0 || *count > max_schema_depth) return not_wire_format("message index count " + std::to_string(*count) + " is out of range");
    for (int64_t i = 0; i < *count; ++i) {
      auto v = in.zigzag();
      if (!v) return v.err();
      if (*v < 0 || *v > std::numeric_limits<int32_t>::max()) return not_wire_format("message index out of range");
      out.push_back(static_cast<int32_t>(*v));
    }
  }
  offset = in.pos();
  return out;
}

std::string message_indexes(const std::vector<int32_t>& indexes) {
  std::string out;
  if (indexes.size() == 1 && indexes[0] == 0) {
    out.push_back(0);
    return out;
  }
  put_zigzag(out, static_cast<int64_t>(indexes.size()));
  for (int32_t i : indexes) put_zigzag(out, i);
  return out;
}

result<std::string> protobuf_encode(const protobuf::schema& s, const std::string& message, const std::string& json_text,
                                    std::vector<int32_t>& indexes_out) {
  const gp::FileDescriptor* file = s.file();
  const gp::Descriptor* d = nullptr;
  if (message.empty()) {
    if (file->message_type_count() == 0) return not_wire_format("the schema defines no message");
    d = file->message_type(0);
  } else {
    d = file->pool()->FindMessageTypeByName(message);
    if (!d || d->file() != file) return not_wire_format("the schema defines no message " + message);
  }
  gp::DynamicMessageFactory factory(file->pool());
  std::unique_ptr<gp::Message> m(factory.GetPrototype(d)->New());
  auto st = gp::util::JsonStringToMessage(json_text, m.get());
  if (!st.ok()) {
    std::string why(st.message());
    if (why.rfind(": ", 0) == 0) why.erase(0, 2);  // libprotobuf leaves the path empty at the top
    return not_wire_format("not a " + d->full_name() + " in JSON: " + why);
  }
  // proto2 `required` fields: the JSON parser leaves them unset, and an
  // uninitialized message would serialize into something readers refuse.
  if (!m->IsInitialized())
    return not_wire_format("not a " + d->full_name() + ": required fields are missing: " + m->InitializationErrorString());
  indexes_out = indexes_of(d);
  return m->SerializeAsString();
}

result<std::string> protobuf_decode(const protobuf::schema& s, const std::vector<int32_t>& indexes,
                                    std::span<const uint8_t> payload) {
  const gp::Descriptor* d = message_at(s.file(), indexes);
  if (!d) return not_wire_format("the message indexes name no message of the schema");
  gp::DynamicMessageFactory factory(s.file()->pool());
  std::unique_ptr<gp::Message> m(factory.GetPrototype(d)->New());
  if (!m->ParseFromArray(payload.data(), static_cast<int>(payload.size())))
    return not_wire_format("not a valid " + d->full_name() + " message");
  std::string out;
  gp::util::JsonPrintOptions options;
  options.preserve_proto_field_names = true;
  auto st = gp::util::MessageToJsonString(*m, &out, options);
  if (!st.ok()) return not_wire_format("cannot print " + d->full_name() + " as JSON: " + st.ToString());
  return out;
}

}  // namespace samsa::registry
