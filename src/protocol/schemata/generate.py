#!/usr/bin/env python3
"""Generates C++ message codecs from Samsa's message definitions (*.def).

usage: generate.py --out BUILD_DIR DEF_FILE...

For every definition file NN_name.def it writes, under BUILD_DIR/protocol/:
  messages/NN_name.h          structs with encode/decode and operator==
  messages/NN_name.cc         their code
  messages/NN_name_sample.cc  fill_sample() overloads for the round-trip tests
plus messages.h (includes every message header), api_keys.h/.cc (API table,
header versions), bodies.h/.cc (std::variant of every request/response body
with decode/encode by api key) and messages_sample.h (sample declarations and
the list of round-trip cases).

Definition format (one message per block, two spaces of indent per level):
  request|response|header|data Name [key=N] versions=A-B flexible=V+|none
    FieldName type versions [nullable=R] [tagged=R] [tag=N] [flexible=R]
                            [mapKey] [ignorable] [default=VALUE]
      (child fields of a struct or struct-array field)
    struct CommonStructName versions
      (its fields)
"""
import argparse
import os
import re
import shlex
import zlib

INT_TYPES = {"int8": "int8_t", "int16": "int16_t", "int32": "int32_t", "int64": "int64_t",
             "uint16": "uint16_t"}
SCALARS = dict(INT_TYPES, float64="double", bool="bool", uuid="::samsa::protocol::uuid")
PRIMITIVES = set(SCALARS) | {"string", "bytes", "records"}
CPP_KEYWORDS = {"default", "operator", "class", "struct", "new", "delete", "template", "this",
                "union", "register", "namespace", "public", "private", "protected", "virtual",
                "switch", "case", "return", "auto", "const", "static", "export", "module"}
# Names the generated functions use for locals and parameters.
RESERVED = {"w", "r", "version", "flexible", "len", "item", "tag_count", "tag", "payload",
            "tags", "tw", "encode", "decode", "unknown_tagged_fields", "seed", "previous_tag"}


def snake(name):
    s = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", name)
    s = re.sub(r"(?<=[A-Z])(?=[A-Z][a-z])", "_", s)
    return s.lower()


class Range:
    """An inclusive version range; hi None means open-ended; empty when lo is None."""

    def __init__(self, text):
        self.lo = self.hi = None
        if text in (None, "none"):
            return
        if text.endswith("+"):
            self.lo = int(text[:-1])
        elif "-" in text:
            lo, hi = text.split("-")
            self.lo, self.hi = int(lo), int(hi)
        else:
            self.lo = self.hi = int(text)
        self.text = text

    def empty(self):
        return self.lo is None

    def contains(self, v):
        return not self.empty() and v >= self.lo and (self.hi is None or v <= self.hi)

    def cond(self, valid):
        """C++ condition for `version` in this range, given the message's valid versions."""
        if self.empty():
            return "false"
        parts = []
        if self.lo > valid.lo:
            parts.append(f"version >= {self.lo}")
        if self.hi is not None and (valid.hi is None or self.hi < valid.hi):
            parts.append(f"version <= {self.hi}")
        if self.hi is not None and self.hi < valid.lo:
            return "false"
        if valid.hi is not None and self.lo > valid.hi:
            return "false"
        return " && ".join(parts) if parts else "true"

    def __str__(self):
        if self.empty():
            return "none"
        if self.hi is None:
            return f"{self.lo}+"
        return f"{self.lo}-{self.hi}" if self.hi != self.lo else str(self.lo)


def intersect(a, b):
    if a.empty() or b.empty():
        return Range(None)
    lo = max(a.lo, b.lo)
    his = [h for h in (a.hi, b.hi) if h is not None]
    hi = min(his) if his else None
    if hi is not None and hi < lo:
        return Range(None)
    return Range(f"{lo}-{hi}" if hi is not None else f"{lo}+")


def subtract_tagged(versions, tagged):
    """Versions in which a field is a regular (untagged) field: versions minus tagged."""
    if tagged.empty():
        return versions
    if tagged.lo <= versions.lo and (tagged.hi is None or (versions.hi is not None and tagged.hi >= versions.hi)):
        return Range(None)
    if tagged.hi is None and tagged.lo > versions.lo:
        return intersect(versions, Range(f"{versions.lo}-{tagged.lo - 1}"))
    raise ValueError("unsupported tagged range layout")


class Field:
    def __init__(self, tokens):
        self.name = tokens[0]
        self.type = tokens[1]
        self.versions = Range(tokens[2])
        self.nullable = Range(None)
        self.tagged = Range(None)
        self.tag = None
        self.flexible = None
        self.map_key = False
        self.ignorable = False
        self.default = None
        for tok in tokens[3:]:
            key, _, value = tok.partition("=")
            if key == "nullable":
                self.nullable = Range(value)
            elif key == "tagged":
                self.tagged = Range(value)
            elif key == "tag":
                self.tag = int(value)
            elif key == "flexible":
                self.flexible = Range(value)
            elif key == "mapKey":
                self.map_key = True
            elif key == "ignorable":
                self.ignorable = True
            elif key == "default":
                self.default = value
            else:
                raise ValueError(f"unknown attribute {tok} on field {self.name}")
        self.children = []
        self.member = snake(self.name)
        if self.member in CPP_KEYWORDS or self.member in RESERVED:
            self.member += "_"

    @property
    def is_array(self):
        return self.type.startswith("[]")

    @property
    def elem(self):
        return self.type[2:] if self.is_array else self.type

    @property
    def is_struct(self):
        return self.elem not in PRIMITIVES


class Message:
    def __init__(self, tokens):
        self.kind = tokens[0]
        self.name = tokens[1]
        self.key = None
        self.valid = None
        self.flexible = Range(None)
        for tok in tokens[2:]:
            key, _, value = tok.partition("=")
            if key == "key":
                self.key = int(value)
            elif key == "versions":
                self.valid = Range(value)
            elif key == "flexible":
                self.flexible = Range(value)
        self.fields = []
        self.structs = {}  # common structs: name -> (Range, [Field])
        self.cpp = snake(self.name) + "_data"


def parse(path):
    messages = []
    stack = []  # (indent, list to append children to)
    with open(path, encoding="utf-8") as f:
        for raw in f:
            line = raw.rstrip("\n")
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            indent = (len(line) - len(line.lstrip(" "))) // 2
            tokens = shlex.split(line)
            if indent == 0:
                msg = Message(tokens)
                messages.append(msg)
                stack = [(0, msg.fields)]
                continue
            while stack and stack[-1][0] >= indent:
                stack.pop()
            if tokens[0] == "struct":
                fields = []
                messages[-1].structs[tokens[1]] = (Range(tokens[2]), fields)
                stack.append((indent, fields))
                continue
            field = Field(tokens)
            stack[-1][1].append(field)
            stack.append((indent, field.children))
    return messages


class Gen:
    """Generates one message (and its nested structs)."""

    def __init__(self, msg):
        self.msg = msg
        self.valid = msg.valid
        self.type_names = {}  # struct type name (schema) -> C++ name
        all_members = set()

        def walk(fields):
            for f in fields:
                all_members.add(f.member)
                walk(f.children)

        walk(msg.fields)
        for _, fields in msg.structs.values():
            walk(fields)
        self.all_members = all_members

    def type_name(self, schema_name):
        if schema_name not in self.type_names:
            name = snake(schema_name)
            if name in self.all_members or name in CPP_KEYWORDS or name in RESERVED:
                name += "_entry"
            self.type_names[schema_name] = name
        return self.type_names[schema_name]

    def flexible_cond(self):
        return self.msg.flexible.cond(self.valid)

    def can_be_flexible(self):
        return not intersect(self.msg.flexible, self.valid).empty()

    def struct_fields(self, field):
        if field.children:
            return field.children
        return self.msg.structs[field.elem][1]

    # ---- C++ types -------------------------------------------------------------------------

    def elem_cpp(self, field):
        if field.elem in SCALARS:
            return SCALARS[field.elem]
        if field.elem == "string":
            return "std::string"
        if field.elem == "bytes":
            return "std::vector<uint8_t>"
        if field.elem == "records":
            return "::samsa::protocol::records"
        return self.type_name(field.elem)

    def nullable_anywhere(self, field):
        return not intersect(field.nullable, self.valid).empty() or (
            field.elem == "records" and not field.is_array)

    def member_cpp(self, field):
        base = self.elem_cpp(field)
        if field.is_array:
            base = f"std::vector<{base}>"
        if field.elem == "records" and not field.is_array:
            return f"std::optional<{base}>"
        if field.elem in SCALARS and not field.is_array:
            return base
        if self.nullable_anywhere(field):
            return f"std::optional<{base}>"
        return base

    def default_init(self, field):
        """Initialiser for the member, or '' for value-initialisation."""
        d = field.default
        if field.is_array:
            if self.nullable_anywhere(field) and d != "null":
                return "std::in_place"
            return ""
        if field.elem in INT_TYPES:
            if d is None:
                return "0"
            v = int(d, 0)
            if field.elem == "int64":
                return f"{v}LL" if v > -2**63 else "INT64_MIN"
            if v == -2**31:
                return "INT32_MIN"
            return str(v)
        if field.elem == "float64":
            return f"{float(d or 0)!r}"
        if field.elem == "bool":
            return "true" if d == "true" else "false"
        if field.elem == "string":
            if d == "null":
                return "std::nullopt" if self.nullable_anywhere(field) else ""
            if d:
                return '"' + d.replace("\\", "\\\\").replace('"', '\\"') + '"'
            return "std::in_place" if self.nullable_anywhere(field) else ""
        if field.elem == "bytes" or field.is_struct:
            if self.nullable_anywhere(field) and d != "null":
                return "std::in_place"
            return ""
        return ""

    def is_default_expr(self, field, expr):
        d = field.default
        if field.elem in INT_TYPES or field.elem in ("float64", "bool") and not field.is_array:
            if not field.is_array:
                return f"{expr} == {self.default_init(field)}"
        if field.elem == "uuid" and not field.is_array:
            return f"{expr}.is_zero()"
        if field.elem == "records" and not field.is_array:
            return f"!{expr}.has_value()"
        nullable = self.nullable_anywhere(field)
        if field.elem == "string" and not field.is_array:
            lit = self.default_init(field)
            if nullable:
                if d == "null":
                    return f"!{expr}.has_value()"
                text = lit if lit.startswith('"') else '""'
                return f"({expr}.has_value() && *{expr} == {text})"
            return f"{expr} == {lit if lit else chr(34) * 2}"
        if field.is_struct and not field.is_array:
            if nullable:
                return f"!{expr}.has_value()" if d == "null" else f"(!{expr} || *{expr} == {self.elem_cpp(field)}{{}})"
            return f"{expr} == {self.elem_cpp(field)}{{}}"
        # bytes and arrays
        if nullable:
            return f"!{expr}.has_value()" if d == "null" else f"({expr}.has_value() && {expr}->empty())"
        return f"{expr}.empty()"

    # ---- declarations ----------------------------------------------------------------------

    def declare_struct(self, name, fields, indent, out, nested_done):
        pad = "  " * indent
        out.append(f"{pad}struct {name} {{")
        self.declare_nested(fields, indent + 1, out, nested_done)
        for f in fields:
            init = self.default_init(f)
            init_text = "{" + init + "}" if init else "{}"
            if f.is_struct and not f.is_array and self.nullable_anywhere(f):
                # No initialiser: clang would check the nested type's
                # constructibility before that type is complete.
                init_text = ""
            comment = f"// {f.name}: versions {f.versions}"
            if not f.nullable.empty():
                comment += f", nullable {f.nullable}"
            if not f.tagged.empty():
                comment += f", tagged {f.tagged} tag {f.tag}"
            if f.map_key:
                comment += ", map key"
            out.append(f"{pad}  {self.member_cpp(f)} {f.member}{init_text};  {comment}")
        if self.can_be_flexible():
            out.append(f"{pad}  ::samsa::protocol::unknown_tags unknown_tagged_fields;")
        out.append("")
        out.append(f"{pad}  void encode(::samsa::protocol::writer& w, int16_t version) const;")
        out.append(f"{pad}  void decode(::samsa::protocol::reader& r, int16_t version);")
        out.append(f"{pad}  bool operator==(const {name}&) const = default;")
        out.append(f"{pad}}};")

    def declare_nested(self, fields, indent, out, nested_done):
        for f in fields:
            if f.is_struct and f.children and f.elem not in nested_done:
                nested_done.add(f.elem)
                self.declare_struct(self.type_name(f.elem), f.children, indent, out, nested_done)
                out.append("")

    def declare(self):
        msg = self.msg
        out = []
        out.append(f"// {msg.name}: versions {msg.valid}, flexible {msg.flexible}" +
                   (f", api key {msg.key}" if msg.key is not None else ""))
        out.append(f"struct {msg.cpp} {{")
        nested_done = set()
        for sname in self.ordered_common_structs():
            srange, sfields = msg.structs[sname]
            nested_done.add(sname)
            self.declare_struct(self.type_name(sname), sfields, 1, out, nested_done)
            out.append("")
        inner = []
        self.declare_struct("__x", msg.fields, 0, inner, nested_done)
        out += inner[1:-1]
        if msg.key is not None:
            out.append(f"  static constexpr int16_t api_key = {msg.key};")
        out.append(f"  static constexpr int16_t min_version = {msg.valid.lo};")
        out.append(f"  static constexpr int16_t max_version = {msg.valid.hi};")
        out.append("};")
        text = "\n".join(out)
        return text.replace("const __x&", f"const {msg.cpp}&")

    def ordered_common_structs(self):
        msg = self.msg
        order = []

        def visit(name, seen):
            if name in order or name in seen:
                return
            seen.add(name)
            for f in msg.structs[name][1]:
                self.walk_refs(f, lambda ref: visit(ref, seen))
            order.append(name)

        for name in msg.structs:
            visit(name, set())
        return order

    def walk_refs(self, field, fn):
        if field.is_struct and not field.children and field.elem in self.msg.structs:
            fn(field.elem)
        for c in field.children:
            self.walk_refs(c, fn)

    # ---- encode ----------------------------------------------------------------------------

    def compact_expr(self, field):
        if field.flexible is not None:
            return field.flexible.cond(self.valid)
        return "flexible"

    def nullable_cond(self, f):
        """Nullability test, relative to the versions in which f is present."""
        present = intersect(f.versions, self.valid)
        return f.nullable.cond(present) if not present.empty() else "false"

    def encode_value(self, f, w, compact, expr):
        """Lines writing the value of field f (already known present)."""
        nullable = self.nullable_cond(f)
        name = f.name
        if f.is_array:
            lines = []
            if self.nullable_anywhere(f):
                lines.append(f"if (!{expr}) {{")
                lines.append(f"  detail::put_null_array({w}, {compact}, {nullable}, \"{name}\");")
                lines.append("} else {")
                lines += ["  " + l for l in self.encode_array(f, w, compact, f"(*{expr})")]
                lines.append("}")
                return lines
            return self.encode_array(f, w, compact, expr)
        if f.elem in SCALARS:
            return [self.write_scalar(f.elem, w, expr) + ";"]
        if f.elem == "string":
            if self.nullable_anywhere(f):
                return [f"detail::put_nullable_string({w}, {expr}, {compact}, {nullable}, \"{name}\");"]
            return [f"detail::put_string({w}, {expr}, {compact});"]
        if f.elem == "bytes":
            if self.nullable_anywhere(f):
                return [f"detail::put_nullable_bytes({w}, {expr}, {compact}, {nullable}, \"{name}\");"]
            return [f"detail::put_bytes({w}, {expr}, {compact});"]
        if f.elem == "records":
            return [f"detail::put_records({w}, {expr}, {compact}, {nullable}, \"{name}\");"]
        # struct
        if self.nullable_anywhere(f):
            return [f"if (!{expr}) {{",
                    f"  if (!({nullable})) detail::fail_null({w}, \"{name}\");",
                    f"  {w}.write_int8(-1);",
                    "} else {",
                    f"  {w}.write_int8(1);",
                    f"  {expr}->encode({w}, version);",
                    "}"]
        return [f"{expr}.encode({w}, version);"]

    def write_scalar(self, elem, w, expr):
        if elem == "float64":
            return f"{w}.write_float64({expr})"
        return f"{w}.write_{elem}({expr})"

    def encode_array(self, f, w, compact, expr):
        lines = [f"detail::put_array_length({w}, {expr}.size(), {compact});"]
        if f.is_struct:
            lines.append(f"for (const auto& item : {expr}) item.encode({w}, version);")
        elif f.elem in SCALARS:
            lines.append(f"for (const auto& item : {expr}) {self.write_scalar(f.elem, w, 'item')};")
        elif f.elem == "string":
            lines.append(f"for (const auto& item : {expr}) detail::put_string({w}, item, {compact});")
        elif f.elem == "bytes":
            lines.append(f"for (const auto& item : {expr}) detail::put_bytes({w}, item, {compact});")
        else:
            raise ValueError(f"array of {f.elem} not supported")
        return lines

    def field_comment(self, f):
        text = f"// {f.name}: versions {f.versions}"
        if not f.nullable.empty():
            text += f", nullable {f.nullable}"
        if not f.tagged.empty():
            text += f", tagged {f.tagged} (tag {f.tag})"
        return text

    def encode_body(self, fields, cls):
        out = [f"void {cls}::encode(writer& w, int16_t version) const {{"]
        flex = self.flexible_cond()
        out.append(f"  const bool flexible = {flex};")
        if flex == "false":
            out.append("  (void)flexible;")
        tagged = []
        for f in fields:
            regular = subtract_tagged(f.versions, f.tagged)
            if not f.tagged.empty():
                tagged.append(f)
            cond = regular.cond(self.valid)
            if cond == "false":
                continue
            out.append("  " + self.field_comment(f))
            body = self.encode_value(f, "w", self.compact_expr(f), f.member)
            out += self.guard(cond, body, 1)
        if self.can_be_flexible():
            out.append("  if (flexible) {")
            out.append("    std::vector<unknown_tag> tags;")
            for f in sorted(tagged, key=lambda f: f.tag):
                cond = intersect(f.versions, f.tagged).cond(self.valid)
                if cond == "false":
                    continue
                out.append("    " + self.field_comment(f))
                full = f"({cond}) && !({self.is_default_expr(f, f.member)})" if cond != "true" else \
                    f"!({self.is_default_expr(f, f.member)})"
                out.append(f"    if ({full}) {{")
                out.append("      writer tw;")
                out += ["      " + l for l in self.encode_value(f, "tw", "true", f.member)]
                out.append(f"      tags.push_back(unknown_tag{{{f.tag}, tw.buffer()}});")
                out.append("      if (!tw.ok()) w.fail(tw.error());")
                out.append("    }")
            out.append("    w.write_tag_section(std::move(tags), unknown_tagged_fields);")
            out.append("  }")
        out.append("}")
        return out

    def guard(self, cond, body, depth):
        pad = "  " * depth
        if cond == "true":
            return [pad + l for l in body]
        out = [f"{pad}if ({cond}) {{"]
        out += [pad + "  " + l for l in body]
        out.append(pad + "}")
        return out

    # ---- decode ----------------------------------------------------------------------------

    def read_scalar(self, elem, r):
        return f"{r}.read_{elem}()"

    def decode_value(self, f, r, compact, expr):
        nullable = self.nullable_cond(f)
        name = f.name
        if f.is_array:
            if self.nullable_anywhere(f):
                element = f"sizeof(decltype({expr})::value_type::value_type)"
            else:
                element = f"sizeof(decltype({expr})::value_type)"
            lines = [f"const int32_t len = detail::get_array_length({r}, {compact}, {nullable}, \"{name}\", {element});"]
            target = expr
            if self.nullable_anywhere(f):
                lines.append(f"if (len < 0) {{")
                lines.append(f"  {expr}.reset();")
                lines.append("} else {")
                lines.append(f"  {expr}.emplace();")
                inner = self.decode_array_items(f, r, compact, f"(*{expr})")
                lines += ["  " + l for l in inner]
                lines.append("}")
                return lines
            lines.append(f"{target}.clear();")
            lines += self.decode_array_items(f, r, compact, target)
            return lines
        if f.elem in SCALARS:
            return [f"{expr} = {self.read_scalar(f.elem, r)};"]
        if f.elem == "string":
            if self.nullable_anywhere(f):
                return [f"{expr} = detail::get_nullable_string({r}, {compact}, {nullable}, \"{name}\");"]
            return [f"{expr} = detail::get_string({r}, {compact});"]
        if f.elem == "bytes":
            if self.nullable_anywhere(f):
                return [f"{expr} = detail::get_nullable_bytes({r}, {compact}, {nullable}, \"{name}\");"]
            return [f"{expr} = detail::get_bytes({r}, {compact});"]
        if f.elem == "records":
            return [f"{expr} = detail::get_records({r}, {compact}, {nullable}, \"{name}\");"]
        if self.nullable_anywhere(f):
            return [f"if ({r}.read_int8() < 0) {{",
                    f"  if (!({nullable})) detail::fail_null({r}, \"{name}\");",
                    f"  {expr}.reset();",
                    "} else {",
                    f"  {expr} = {self.elem_cpp(f)}{{}};",
                    f"  {expr}->decode({r}, version);",
                    "}"]
        return [f"{expr}.decode({r}, version);"]

    def decode_array_items(self, f, r, compact, target):
        loop = f"for (int32_t i = 0; i < len && {r}.ok(); ++i) "
        if f.is_struct:
            return [loop + f"{target}.emplace_back().decode({r}, version);"]
        if f.elem in SCALARS:
            return [loop + f"{target}.push_back({self.read_scalar(f.elem, r)});"]
        if f.elem == "string":
            return [loop + f"{target}.push_back(detail::get_string({r}, {compact}));"]
        if f.elem == "bytes":
            return [loop + f"{target}.push_back(detail::get_bytes({r}, {compact}));"]
        raise ValueError(f"array of {f.elem} not supported")

    def decode_body(self, fields, cls):
        out = [f"void {cls}::decode(reader& r, int16_t version) {{"]
        out.append(f"  *this = {cls.split('::')[-1]}{{}};")
        flex = self.flexible_cond()
        out.append(f"  const bool flexible = {flex};")
        if flex == "false":
            out.append("  (void)flexible;")
        tagged = []
        for f in fields:
            regular = subtract_tagged(f.versions, f.tagged)
            if not f.tagged.empty():
                tagged.append(f)
            cond = regular.cond(self.valid)
            if cond == "false":
                continue
            out.append("  " + self.field_comment(f))
            body = self.decode_value(f, "r", self.compact_expr(f), f.member)
            if f.is_array:
                body = ["{"] + ["  " + l for l in body] + ["}"] if cond == "true" else body
            out += self.guard(cond, body, 1)
        if self.can_be_flexible():
            out.append("  if (flexible) {")
            out.append("    const uint32_t tag_count = r.read_tag_count();")
            out.append("    int64_t previous_tag = -1;")
            out.append("    for (uint32_t i = 0; i < tag_count && r.ok(); ++i) {")
            out.append("      const uint32_t tag = r.read_tag_number(previous_tag);")
            out.append("      reader payload = r.read_tagged_payload();")
            first = True
            for f in sorted(tagged, key=lambda f: f.tag):
                cond = intersect(f.versions, f.tagged).cond(self.valid)
                if cond == "false":
                    continue
                test = f"tag == {f.tag}" + ("" if cond == "true" else f" && {cond}")
                out.append(f"      {'if' if first else '} else if'} ({test}) {{")
                out.append("        " + self.field_comment(f))
                body = self.decode_value(f, "payload", "true", f.member)
                out += ["        " + l for l in body]
                first = False
            if first:
                out.append("      r.keep_unknown_tag(tag, payload, unknown_tagged_fields);")
            else:
                out.append("      } else {")
                out.append("        r.keep_unknown_tag(tag, payload, unknown_tagged_fields);")
                out.append("      }")
            out.append("      r.absorb(payload);")
            out.append("    }")
            out.append("  }")
        out.append("}")
        return out

    # ---- definitions -----------------------------------------------------------------------

    def define_all(self):
        out = []
        for cls, fields in self.all_structs():
            for body in (self.encode_body(fields, cls), self.decode_body(fields, cls)):
                if not any(re.search(r"\bversion\b", line) for line in body[2:]):
                    body.insert(1, "  (void)version;")
                out += body
                out.append("")
        return out

    def all_structs(self):
        """(qualified C++ name, fields) for every struct of the message."""
        result = []
        msg = self.msg
        done = set()

        def nested(prefix, fields):
            for f in fields:
                if f.is_struct and f.children and f.elem not in done:
                    done.add(f.elem)
                    name = f"{prefix}::{self.type_name(f.elem)}"
                    nested(name, f.children)
                    result.append((name, f.children))

        for sname in self.ordered_common_structs():
            done.add(sname)
            name = f"{msg.cpp}::{self.type_name(sname)}"
            nested(name, msg.structs[sname][1])
            result.append((name, msg.structs[sname][1]))
        nested(msg.cpp, msg.fields)
        result.append((msg.cpp, msg.fields))
        return result

    # ---- samples for tests -----------------------------------------------------------------

    def sample_value(self, f, seed_expr):
        """C++ expression of a non-default sample for a scalar/string/bytes element."""
        h = zlib.crc32(f.name.encode()) % 90 + 5
        if f.elem in INT_TYPES:
            base = int(f.default, 0) if f.default not in (None, "null") else 0
            value = h if h != base else h + 1
            return f"static_cast<{INT_TYPES[f.elem]}>({value} + {seed_expr})"
        if f.elem == "float64":
            return f"(0.5 + {seed_expr})"
        if f.elem == "bool":
            return "false" if f.default == "true" else "true"
        if f.elem == "uuid":
            return f"detail_sample_uuid({h} + {seed_expr})"
        if f.elem == "string":
            return f"\"{f.member}_\" + std::to_string({seed_expr})"
        if f.elem == "bytes":
            return f"std::vector<uint8_t>{{{h}, static_cast<uint8_t>({seed_expr}), 7}}"
        raise ValueError(f.elem)

    def sample_body(self, fields, cls):
        out = [f"void fill_sample({cls}& m, int16_t version, int seed) {{"]
        out.append("  (void)version;")
        out.append("  (void)seed;")
        for f in fields:
            cond = f.versions.cond(self.valid)
            if cond == "false":
                continue
            body = []
            if f.is_array:
                target = f"m.{f.member}"
                if self.nullable_anywhere(f):
                    body.append(f"m.{f.member}.emplace();")
                    target = f"(*m.{f.member})"
                if f.is_struct:
                    body.append(f"for (int i = 0; i < 2; ++i) fill_sample({target}.emplace_back(), version, seed + i + 1);")
                else:
                    body.append(f"for (int i = 0; i < 2; ++i) {target}.push_back({self.sample_value(f, 'seed + i')});")
            elif f.elem == "records":
                body.append(f"m.{f.member} = records::copy(std::vector<uint8_t>{{1, 2, 3, static_cast<uint8_t>(seed)}});")
            elif f.is_struct:
                if self.nullable_anywhere(f):
                    body.append(f"m.{f.member} = decltype(m.{f.member})::value_type{{}};")
                    body.append(f"fill_sample(*m.{f.member}, version, seed + 1);")
                else:
                    body.append(f"fill_sample(m.{f.member}, version, seed + 1);")
            else:
                body.append(f"m.{f.member} = {self.sample_value(f, 'seed')};")
            out += self.guard(cond, body, 1)
        if self.can_be_flexible():
            out.append(f"  if ({self.flexible_cond()}) {{")
            out.append("    m.unknown_tagged_fields.push_back(unknown_tag{90 + static_cast<uint32_t>(seed % 5), {0xab, 0xcd}});")
            out.append("  }")
        out.append("}")
        return out

    def sample_all(self):
        out = []
        for cls, fields in self.all_structs():
            out += self.sample_body(fields, cls)
            out.append("")
        return out

    def sample_decls(self):
        return [f"void fill_sample({cls}& m, int16_t version, int seed = 0);"
                for cls, _ in self.all_structs()]


HEADER_PREAMBLE = """// Generated by src/protocol/schemata/generate.py from {src}. Do not edit.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "protocol/reader.h"
#include "protocol/records.h"
#include "protocol/tagged_fields.h"
#include "protocol/uuid.h"
#include "protocol/writer.h"

namespace samsa::protocol {{

"""


def write_if_changed(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    if os.path.exists(path):
        with open(path, encoding="utf-8") as f:
            if f.read() == text:
                return
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)


def api_name(msg):
    return msg.name[: -len("Request")]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", required=True)
    parser.add_argument("defs", nargs="+")
    args = parser.parse_args()
    base = os.path.join(args.out, "protocol")

    files = []
    for path in sorted(args.defs):
        stem = os.path.splitext(os.path.basename(path))[0]
        files.append((stem, parse(path)))

    all_msgs = []
    for stem, msgs in files:
        gens = [Gen(m) for m in msgs]
        src = os.path.basename(stem) + ".def"
        h = HEADER_PREAMBLE.format(src=src)
        h += "\n\n".join(g.declare() for g in gens)
        h += "\n\n}  // namespace samsa::protocol\n"
        write_if_changed(os.path.join(base, "messages", stem + ".h"), h)

        cc = [f"// Generated by src/protocol/schemata/generate.py from {src}. Do not edit.",
              f'#include "protocol/messages/{stem}.h"', "",
              '#include "protocol/codec_helpers.h"', "",
              "namespace samsa::protocol {", ""]
        for g in gens:
            cc += g.define_all()
        cc.append("}  // namespace samsa::protocol")
        write_if_changed(os.path.join(base, "messages", stem + ".cc"), "\n".join(cc) + "\n")

        sc = [f"// Generated by src/protocol/schemata/generate.py from {src}. Do not edit.",
              '#include "protocol/messages_sample.h"', "",
              "namespace samsa::protocol::testing {", ""]
        for g in gens:
            sc += g.sample_all()
        sc.append("}  // namespace samsa::protocol::testing")
        write_if_changed(os.path.join(base, "messages", stem + "_sample.cc"), "\n".join(sc) + "\n")
        all_msgs += [(stem, g) for g in gens]

    # messages.h
    inc = ["// Generated by src/protocol/schemata/generate.py. Do not edit.",
           "// Every message struct of the protocol; see api_keys.h and bodies.h.",
           "#pragma once", ""]
    inc += [f'#include "protocol/messages/{stem}.h"' for stem, _ in files]
    write_if_changed(os.path.join(base, "messages.h"), "\n".join(inc) + "\n")

    # messages_sample.h: declarations + round-trip cases
    sh = ["// Generated by src/protocol/schemata/generate.py. Do not edit.",
          "// Sample values for every message struct (tests only).",
          "#pragma once", "", "#include <string>", "#include <vector>", "",
          '#include "protocol/messages.h"', "", "namespace samsa::protocol::testing {", "",
          "inline ::samsa::protocol::uuid detail_sample_uuid(int seed) {",
          "  ::samsa::protocol::uuid u;",
          "  for (size_t i = 0; i < u.bytes.size(); ++i) u.bytes[i] = static_cast<uint8_t>(seed + static_cast<int>(i));",
          "  return u;", "}", ""]
    for _, g in all_msgs:
        sh += g.sample_decls()
    sh += ["", "}  // namespace samsa::protocol::testing", ""]
    write_if_changed(os.path.join(base, "messages_sample.h"), "\n".join(sh))

    # api_keys.h / .cc and bodies
    apis = {}
    for _, g in all_msgs:
        m = g.msg
        if m.kind in ("request", "response"):
            apis.setdefault(m.key, {})[m.kind] = m
    write_api_keys(base, apis)
    write_bodies(base, apis)
    write_cases(base, all_msgs)


def write_api_keys(base, apis):
    h = ["// Generated by src/protocol/schemata/generate.py. Do not edit.",
         "// The API keys Samsa knows, their version ranges, and which request and",
         "// response header version goes with each (api key, version).",
         "#pragma once", "", "#include <cstdint>", "#include <span>", "#include <string_view>", "",
         "namespace samsa::protocol {", "", "enum class api_key : int16_t {"]
    for key, pair in sorted(apis.items()):
        h.append(f"  {snake(api_name(pair['request']))} = {key},")
    h += ["};", "",
          "struct api_info {",
          "  api_key key;",
          "  std::string_view name;      // \"Produce\"",
          "  int16_t min_version;        // lowest version the definitions describe",
          "  int16_t max_version;        // highest stable version",
          "  int16_t first_flexible;     // -1 when never flexible",
          "};", "",
          "// Every API in key order.",
          "std::span<const api_info> all_apis();",
          "// nullptr for an api key we do not know.",
          "const api_info* find_api(int16_t key);",
          "inline const api_info* find_api(api_key key) { return find_api(static_cast<int16_t>(key)); }",
          "",
          "// Request header version for (key, version): 2 when flexible, else 1 (0 for",
          "// ControlledShutdown v0). Unknown keys get 1.",
          "int16_t request_header_version(int16_t key, int16_t version);",
          "// Response header version: 1 when flexible, else 0; ApiVersions always 0.",
          "int16_t response_header_version(int16_t key, int16_t version);",
          "", "}  // namespace samsa::protocol", ""]
    write_if_changed(os.path.join(base, "api_keys.h"), "\n".join(h))
    cc = ["// Generated by src/protocol/schemata/generate.py. Do not edit.",
          '#include "protocol/api_keys.h"', "", "#include <algorithm>", "#include <array>", "",
          "namespace samsa::protocol {", "", "namespace {", "",
          f"constexpr std::array<api_info, {len(apis)}> kApis = {{{{"]
    for key, pair in sorted(apis.items()):
        req = pair["request"]
        flex = req.flexible.lo if not req.flexible.empty() else -1
        cc.append(f"    {{api_key::{snake(api_name(req))}, \"{api_name(req)}\", {req.valid.lo}, "
                  f"{req.valid.hi}, {flex}}},")
    cc += ["}};", "", "}  // namespace", "",
           "std::span<const api_info> all_apis() { return kApis; }", "",
           "const api_info* find_api(int16_t key) {",
           "  auto it = std::lower_bound(kApis.begin(), kApis.end(), key,",
           "                             [](const api_info& a, int16_t k) { return static_cast<int16_t>(a.key) < k; });",
           "  if (it == kApis.end() || static_cast<int16_t>(it->key) != key) return nullptr;",
           "  return &*it;", "}", "",
           "int16_t request_header_version(int16_t key, int16_t version) {",
           "  constexpr int16_t kControlledShutdown = 7;",
           "  if (key == kControlledShutdown && version == 0) return 0;",
           "  const api_info* api = find_api(key);",
           "  if (api == nullptr) return 1;",
           "  return api->first_flexible >= 0 && version >= api->first_flexible ? 2 : 1;",
           "}", "",
           "int16_t response_header_version(int16_t key, int16_t version) {",
           "  if (key == static_cast<int16_t>(api_key::api_versions)) return 0;",
           "  const api_info* api = find_api(key);",
           "  if (api == nullptr) return 0;",
           "  return api->first_flexible >= 0 && version >= api->first_flexible ? 1 : 0;",
           "}", "", "}  // namespace samsa::protocol", ""]
    write_if_changed(os.path.join(base, "api_keys.cc"), "\n".join(cc))


def write_bodies(base, apis):
    keys = sorted(apis)
    h = ["// Generated by src/protocol/schemata/generate.py. Do not edit.",
         "// Any request or response body as one std::variant, decoded or encoded by",
         "// api key, for routers and fuzzers that do not know the type up front.",
         "#pragma once", "", "#include <variant>", "", '#include "base/result.h"',
         '#include "protocol/api_keys.h"', '#include "protocol/messages.h"', "",
         "namespace samsa::protocol {", ""]
    for kind in ("request", "response"):
        h.append(f"using {kind}_body = std::variant<")
        h.append(",\n".join(f"    {apis[k][kind].cpp}" for k in keys) + ">;")
        h.append("")
    h += ["// Decodes the body of `key` at `version`; fails for an unknown key, a version",
          "// outside the definitions, or malformed bytes (the reader's message).",
          "result<request_body> decode_request_body(int16_t key, int16_t version, reader& r);",
          "result<response_body> decode_response_body(int16_t key, int16_t version, reader& r);",
          "void encode_body(const request_body& body, writer& w, int16_t version);",
          "void encode_body(const response_body& body, writer& w, int16_t version);",
          "// The api key of a body.",
          "int16_t api_key_of(const request_body& body);",
          "int16_t api_key_of(const response_body& body);",
          "", "}  // namespace samsa::protocol", ""]
    write_if_changed(os.path.join(base, "bodies.h"), "\n".join(h))
    cc = ["// Generated by src/protocol/schemata/generate.py. Do not edit.",
          '#include "protocol/bodies.h"', "", "#include <string>", "",
          "namespace samsa::protocol {", "", "namespace {", "",
          "template <typename Body, typename T>",
          "result<Body> decode_as(int16_t version, reader& r) {",
          "  if (version < T::min_version || version > T::max_version) {",
          "    return make_error(std::errc::not_supported, \"api key \" + std::to_string(T::api_key) +",
          "                      \" has no version \" + std::to_string(version));",
          "  }",
          "  T value;",
          "  value.decode(r, version);",
          "  if (!r.ok()) return make_error(std::errc::bad_message, r.error());",
          "  return Body(std::move(value));",
          "}", "", "}  // namespace", ""]
    for kind in ("request", "response"):
        cc.append(f"result<{kind}_body> decode_{kind}_body(int16_t key, int16_t version, reader& r) {{")
        cc.append("  switch (key) {")
        for k in keys:
            cc.append(f"    case {k}:")
            cc.append(f"      return decode_as<{kind}_body, {apis[k][kind].cpp}>(version, r);")
        cc.append("    default:")
        cc.append("      return make_error(std::errc::not_supported, \"unknown api key \" + std::to_string(key));")
        cc.append("  }")
        cc.append("}")
        cc.append("")
        cc.append(f"void encode_body(const {kind}_body& body, writer& w, int16_t version) {{")
        cc.append("  std::visit([&](const auto& value) { value.encode(w, version); }, body);")
        cc.append("}")
        cc.append("")
        cc.append(f"int16_t api_key_of(const {kind}_body& body) {{")
        cc.append("  return std::visit([](const auto& value) { return std::decay_t<decltype(value)>::api_key; }, body);")
        cc.append("}")
        cc.append("")
    cc.append("}  // namespace samsa::protocol")
    write_if_changed(os.path.join(base, "bodies.cc"), "\n".join(cc) + "\n")


def write_cases(base, all_msgs):
    cc = ["// Generated by src/protocol/schemata/generate.py. Do not edit.",
          "// Round-trip cases: one per message, typed callbacks over every version.",
          '#include "protocol/messages_cases.h"', "", '#include "protocol/messages_sample.h"', "",
          "namespace samsa::protocol::testing {", "",
          "std::vector<message_case> all_message_cases() {",
          "  std::vector<message_case> cases;"]
    for _, g in all_msgs:
        m = g.msg
        cc.append(f"  cases.push_back(make_case<{m.cpp}>(\"{m.name}\", {m.valid.lo}, {m.valid.hi}));")
    cc += ["  return cases;", "}", "", "}  // namespace samsa::protocol::testing", ""]
    write_if_changed(os.path.join(base, "messages_cases.cc"), "\n".join(cc))


if __name__ == "__main__":
    main()
