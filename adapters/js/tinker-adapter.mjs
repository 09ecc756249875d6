#!/usr/bin/env node
// A protocol-1 adapter in plain JavaScript (Node >= 18, no dependencies):
// a handful of the 0.15.0 Tinker wire types, hand-written the way a
// JavaScript port would write them, driven over JSON lines on stdin/stdout.
//
//   node adapters/js/tinker-adapter.mjs
//
// It is the starting point for port authors (adapters/js/README.md): replace
// the classes below with imports of your port's own types, keep the protocol
// loop at the bottom.
//
// It is deliberately honest JavaScript, not a mirror of the reference: a Date
// holds milliseconds (microseconds are lost), a number is a double (integers
// above 2^53 lose digits), and a type cannot say "integer". The suite is
// expected to report exactly those differences.

import { createInterface } from "node:readline";
import { pathToFileURL } from "node:url";

const PROTOCOL = "1";
const SPEC_VERSION = "0.15.0";
const OPS = ["hello", "decode", "construct", "inspect", "batch", "stop"];
const NOT_IN_BATCH = new Set(["batch", "hello", "stop"]);

// -- what an op can answer ----------------------------------------------------

/** The input is refused (a validation error): answered as error "rejected". */
export class Rejection extends Error {}

/** A type, op, helper or endpoint this adapter lacks: error "unsupported". */
export class Unsupported extends Error {
  constructor(what, name, message) {
    super(message ?? `${what} ${JSON.stringify(name)} is not supported`);
    this.what = what;
    this.missing = name;
  }
}

/** The request does not follow the protocol: error "internal". */
class Malformed extends Error {}

function describe(value) {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "object") return "an object";
  const text = typeof value === "string" ? JSON.stringify(value) : String(value);
  return `${typeof value} ${text.length > 60 ? text.slice(0, 57) + "..." : text}`;
}

function refuse(path, expected, value) {
  throw new Rejection(`${path}: expected ${expected}, got ${describe(value)}`);
}

// -- field codecs: wire JSON <-> native values, and the declared shape --------
//
// A codec reads a wire value into the native one (throwing a Rejection),
// writes it back, and names its declared type in the shape vocabulary of
// docs/SHAPES.md. JavaScript has one number type, so integer fields are
// *checked* to be integral but *declared* as "number".

const string = {
  shape: "string",
  read: (v, path) => (typeof v === "string" ? v : refuse(path, "a string", v)),
  write: (v) => v,
};

const boolean = {
  shape: "boolean",
  read: (v, path) => (typeof v === "boolean" ? v : refuse(path, "a boolean", v)),
  write: (v) => v,
};

const number = {
  shape: "number",
  read: (v, path) => (Number.isFinite(v) ? v : refuse(path, "a number", v)),
  write: (v) => v,
};

const integer = {
  shape: "number", // a JavaScript number: the type cannot say "integer"
  read: (v, path) => (Number.isInteger(v) ? v : refuse(path, "an integer", v)),
  write: (v) => v,
};

const any = {
  shape: "any",
  read: (v) => v,
  write: (v) => v,
};

const RFC3339 =
  /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(?:([Zz])|([+-])(\d{2}):(\d{2}))$/;

function daysIn(year, month) {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

/** An instant as a JavaScript Date: an RFC 3339 date-time (offset required)
 * or unix seconds. A Date holds whole milliseconds: fraction digits past the
 * third are dropped, and the offset it was written with is not kept. */
const datetime = {
  shape: "datetime",
  read(v, path) {
    if (typeof v === "number") {
      const date = new Date(v * 1000);
      return Number.isNaN(date.getTime()) ? refuse(path, "unix seconds", v) : date;
    }
    const m = typeof v === "string" ? RFC3339.exec(v) : null;
    if (m === null) return refuse(path, "an RFC 3339 date-time or unix seconds", v);
    const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number);
    const [offHours, offMinutes] = [Number(m[10] ?? 0), Number(m[11] ?? 0)];
    if (
      month < 1 || month > 12 || day < 1 || day > daysIn(year, month) ||
      hour > 23 || minute > 59 || second > 59 || offHours > 23 || offMinutes > 59
    ) {
      return refuse(path, "a real date and time", v);
    }
    const millis = Number((m[7] ?? "").padEnd(3, "0").slice(0, 3));
    const date = new Date(0);
    date.setUTCFullYear(year, month - 1, day); // Date.UTC would read years 0-99 as 19xx
    date.setUTCHours(hour, minute, second, millis);
    const sign = m[9] === "-" ? -1 : 1;
    date.setTime(date.getTime() - sign * (offHours * 60 + offMinutes) * 60000);
    return Number.isNaN(date.getTime()) ? refuse(path, "a representable instant", v) : date;
  },
  write: (v) => v.toISOString(),
};

function optional(codec) {
  return {
    shape: `optional<${codec.shape}>`,
    read: (v, path) => (v === null ? null : codec.read(v, path)),
    write: (v) => (v === null ? null : codec.write(v)),
  };
}

function listOf(codec) {
  return {
    shape: `list<${codec.shape}>`,
    read: (v, path) =>
      Array.isArray(v) ? v.map((item, i) => codec.read(item, `${path}[${i}]`)) : refuse(path, "an array", v),
    write: (v) => v.map((item) => codec.write(item)),
  };
}

function mapOf(codec) {
  return {
    shape: `map<string,${codec.shape}>`,
    read(v, path) {
      if (v === null || typeof v !== "object" || Array.isArray(v)) return refuse(path, "an object", v);
      // fromEntries defines own properties: a "__proto__" key stays a key
      return Object.fromEntries(Object.entries(v).map(([k, item]) => [k, codec.read(item, `${path}.${k}`)]));
    },
    write: (v) => Object.fromEntries(Object.entries(v).map(([k, item]) => [k, codec.write(item)])),
  };
}

/** The first member that reads the value wins; it is written back by the
 * member whose read would accept its native form. */
function union(...members) {
  return {
    shape: `union<${members.map((m) => m.shape).join("|")}>`,
    read(v, path) {
      for (const member of members) {
        try {
          return member.read(v, path);
        } catch (error) {
          if (!(error instanceof Rejection)) throw error;
        }
      }
      return refuse(path, members.map((m) => m.shape).join(" or "), v);
    },
    write(v) {
      for (const member of members) {
        try {
          member.read(v, "");
          return member.write(v);
        } catch (error) {
          if (!(error instanceof Rejection)) throw error;
        }
      }
      throw new Error(`no member of the union writes ${describe(v)}`);
    },
  };
}

function literal(value) {
  return {
    shape: `literal:${value}`,
    read: (v, path) => (v === value ? v : refuse(path, `the literal ${JSON.stringify(value)}`, v)),
    write: (v) => v,
  };
}

function enumOf(enumeration) {
  return {
    shape: `enum:${enumeration.typeName}`,
    read: (v, path) =>
      enumeration.values.includes(v) ? v : refuse(path, `one of ${enumeration.values.join(", ")}`, v),
    write: (v) => v,
  };
}

function struct(getClass) {
  return {
    get shape() {
      return `struct:${getClass().typeName}`;
    },
    read: (v, path) => getClass().fromWire(v, path),
    write: (v) => v.toWire(),
  };
}

// -- enums ----------------------------------------------------------------------

function defineEnum(typeName, members) {
  return Object.freeze({ typeName, values: Object.freeze(Object.values(members)), ...members });
}

export const CheckpointType = defineEnum("CheckpointType", { TRAINING: "training", SAMPLER: "sampler" });
export const TensorDtype = defineEnum("TensorDtype", { INT64: "int64", FLOAT32: "float32" });

// -- structs ----------------------------------------------------------------------
//
// Each struct declares its fields (wire name -> codec) and whether it is
// strict (unknown fields refused: the reference's request types) or lenient
// (unknown fields ignored: responses). The constructor is the native one: it
// holds the defaults and refuses a missing required field. fromWire reads the
// wire values into native ones and calls it; toWire writes every field.

function required(type, field, value) {
  if (value === undefined) throw new Rejection(`${type}.${field}: required field missing`);
  return value;
}

class WireStruct {
  static strict = false;
  static fields = {};

  static get typeName() {
    return this.name;
  }

  static fromWire(json, path = this.typeName) {
    if (json === null || typeof json !== "object" || Array.isArray(json)) {
      return refuse(path, `a ${this.typeName} object`, json);
    }
    if (this.strict) {
      const unknown = Object.keys(json).filter((k) => !Object.hasOwn(this.fields, k));
      if (unknown.length > 0) {
        throw new Rejection(`${path}: unknown field(s) ${unknown.map((k) => JSON.stringify(k)).join(", ")}`);
      }
    }
    const args = {};
    for (const [name, codec] of Object.entries(this.fields)) {
      if (Object.hasOwn(json, name)) args[name] = codec.read(json[name], `${path}.${name}`);
    }
    return new this(args);
  }

  toWire() {
    const out = {};
    for (const [name, codec] of Object.entries(this.constructor.fields)) {
      out[name] = codec.write(this[name]);
    }
    return out;
  }

  static inspectShape() {
    return {
      type: `struct:${this.typeName}`,
      fields: Object.fromEntries(Object.entries(this.fields).map(([k, codec]) => [k, codec.shape])),
    };
  }
}

export class LoraConfig extends WireStruct {
  static strict = true;
  static fields = {
    rank: integer,
    seed: optional(integer),
    train_unembed: boolean,
    train_mlp: boolean,
    train_attn: boolean,
  };

  constructor({ rank, seed = null, train_unembed = true, train_mlp = true, train_attn = true } = {}) {
    super();
    this.rank = required("LoraConfig", "rank", rank);
    this.seed = seed;
    this.train_unembed = train_unembed;
    this.train_mlp = train_mlp;
    this.train_attn = train_attn;
  }
}

export class CreateModelRequest extends WireStruct {
  static strict = true;
  static fields = {
    session_id: string,
    model_seq_id: integer,
    base_model: string,
    user_metadata: optional(mapOf(any)),
    lora_config: optional(struct(() => LoraConfig)),
    type: literal("create_model"),
  };

  constructor({
    session_id,
    model_seq_id,
    base_model,
    user_metadata = null,
    lora_config = null,
    type = "create_model",
  } = {}) {
    super();
    this.session_id = required("CreateModelRequest", "session_id", session_id);
    this.model_seq_id = required("CreateModelRequest", "model_seq_id", model_seq_id);
    this.base_model = required("CreateModelRequest", "base_model", base_model);
    this.user_metadata = user_metadata;
    this.lora_config = lora_config;
    this.type = type;
  }
}

export class Cursor extends WireStruct {
  static fields = { offset: integer, limit: integer, total_count: integer };

  constructor({ offset, limit, total_count } = {}) {
    super();
    this.offset = required("Cursor", "offset", offset);
    this.limit = required("Cursor", "limit", limit);
    this.total_count = required("Cursor", "total_count", total_count);
  }
}

export class SamplingParams extends WireStruct {
  static fields = {
    max_tokens: optional(integer),
    seed: optional(integer),
    stop: optional(union(string, listOf(string), listOf(integer))),
    temperature: number,
    top_k: integer,
    top_p: number,
  };

  constructor({ max_tokens = null, seed = null, stop = null, temperature = 1, top_k = -1, top_p = 1 } = {}) {
    super();
    this.max_tokens = max_tokens;
    this.seed = seed;
    this.stop = stop;
    this.temperature = temperature;
    this.top_k = top_k;
    this.top_p = top_p;
  }
}

export class Checkpoint extends WireStruct {
  static fields = {
    checkpoint_id: string,
    checkpoint_type: enumOf(CheckpointType),
    time: datetime,
    tinker_path: string,
    size_bytes: optional(integer),
    public: boolean,
    expires_at: optional(datetime),
  };

  constructor({
    checkpoint_id,
    checkpoint_type,
    time,
    tinker_path,
    size_bytes = null,
    public: isPublic = false,
    expires_at = null,
  } = {}) {
    super();
    this.checkpoint_id = required("Checkpoint", "checkpoint_id", checkpoint_id);
    this.checkpoint_type = required("Checkpoint", "checkpoint_type", checkpoint_type);
    this.time = required("Checkpoint", "time", time);
    this.tinker_path = required("Checkpoint", "tinker_path", tinker_path);
    this.size_bytes = size_bytes;
    this.public = isPublic;
    this.expires_at = expires_at;
  }
}

export class CheckpointArchiveUrlResponse extends WireStruct {
  static fields = { url: string, expires: datetime };

  constructor({ url, expires } = {}) {
    super();
    this.url = required("CheckpointArchiveUrlResponse", "url", url);
    this.expires = required("CheckpointArchiveUrlResponse", "expires", expires);
  }
}

export class SupportedModel extends WireStruct {
  static fields = { model_name: optional(string) };

  constructor({ model_name = null } = {}) {
    super();
    this.model_name = model_name;
  }
}

export class GetServerCapabilitiesResponse extends WireStruct {
  static fields = { supported_models: listOf(struct(() => SupportedModel)) };

  constructor({ supported_models } = {}) {
    super();
    this.supported_models = required("GetServerCapabilitiesResponse", "supported_models", supported_models);
  }
}

export class TensorData extends WireStruct {
  static strict = true;
  static fields = {
    data: listOf(number), // a JavaScript number[]: int64 and float32 data alike
    dtype: enumOf(TensorDtype),
    shape: optional(listOf(integer)),
  };

  constructor({ data, dtype, shape = null } = {}) {
    super();
    this.data = required("TensorData", "data", data);
    this.dtype = required("TensorData", "dtype", dtype);
    this.shape = shape;
  }
}

/** Every type this adapter supports, by its pack name. */
export const TYPES = Object.freeze({
  Checkpoint,
  CheckpointArchiveUrlResponse,
  CheckpointType,
  CreateModelRequest,
  Cursor,
  GetServerCapabilitiesResponse,
  LoraConfig,
  SamplingParams,
  SupportedModel,
  TensorData,
  TensorDtype,
});

// -- ops ----------------------------------------------------------------------------

function lookup(typeName) {
  if (typeof typeName !== "string") throw new Malformed(`'type' must be a string, not ${describe(typeName)}`);
  if (!Object.hasOwn(TYPES, typeName)) {
    throw new Unsupported("type", typeName, `type ${JSON.stringify(typeName)} is not implemented here`);
  }
  return TYPES[typeName];
}

function isStruct(type) {
  return typeof type === "function" && type.prototype instanceof WireStruct;
}

function decodeValue(type, payload) {
  return isStruct(type) ? type.fromWire(payload) : enumOf(type).read(payload, type.typeName);
}

function needs(request, key) {
  if (!Object.hasOwn(request, key)) throw new Malformed(`${JSON.stringify(request.op)} needs '${key}'`);
  return request[key];
}

// Where this port defines some of its types (docs/PROTOCOL.md, hello
// "sources"): the gap report shows the file beside the reference's.
const SOURCES = {
  LoraConfig: "adapters/js/tinker-adapter.mjs:278",
  CreateModelRequest: "adapters/js/tinker-adapter.mjs:298",
  Cursor: "adapters/js/tinker-adapter.mjs:327",
  SamplingParams: "adapters/js/tinker-adapter.mjs:338",
  Checkpoint: "adapters/js/tinker-adapter.mjs:359",
};

const HANDLERS = {
  hello(request) {
    if (request.protocol !== undefined && request.protocol !== PROTOCOL) {
      throw new Unsupported(
        "op",
        "hello",
        `protocol ${JSON.stringify(request.protocol)} is not spoken here; this adapter speaks protocol ${PROTOCOL}`,
      );
    }
    return {
      hello: {
        name: "tinker-js-example",
        language: "javascript",
        version: "0.1.0",
        spec_version: SPEC_VERSION,
        ops: OPS,
        types: Object.keys(TYPES),
        protocol: PROTOCOL,
        sources: SOURCES,
      },
    };
  },

  decode(request) {
    const type = lookup(request.type);
    const value = decodeValue(type, needs(request, "payload"));
    return { wire: isStruct(type) ? value.toWire() : value };
  },

  construct(request) {
    const type = lookup(request.type);
    const args = needs(request, "args");
    if (args === null || typeof args !== "object" || Array.isArray(args)) {
      throw new Malformed(`'args' must be an object, not ${describe(args)}`);
    }
    if (!isStruct(type)) {
      throw new Unsupported("type", request.type, `${request.type} is an enum: it has no constructor`);
    }
    return { wire: type.fromWire(args).toWire() };
  },

  inspect(request) {
    const type = lookup(request.type);
    decodeValue(type, needs(request, "payload"));
    return { shape: isStruct(type) ? type.inspectShape() : { type: `enum:${type.typeName}` } };
  },

  stop() {
    return { stopped: true };
  },
};

function errorResponse(id, kind, message, extra = {}) {
  return { id, ok: false, error: { kind, message: String(message), ...extra } };
}

/** The response to one request object whose id is valid. */
function answer(request) {
  const id = request.id;
  const op = request.op;
  if (typeof op !== "string") return errorResponse(id, "internal", `malformed request: 'op' must be a string`);
  if (!Object.hasOwn(HANDLERS, op)) {
    return errorResponse(id, "unsupported", `op ${JSON.stringify(op)} is not supported`, { what: "op", name: op });
  }
  try {
    return { id, ok: true, ...HANDLERS[op](request) };
  } catch (error) {
    if (error instanceof Rejection) return errorResponse(id, "rejected", error.message);
    if (error instanceof Unsupported) {
      return errorResponse(id, "unsupported", error.message, { what: error.what, name: String(error.missing) });
    }
    if (error instanceof Malformed) return errorResponse(id, "internal", `malformed request: ${error.message}`);
    log(error?.stack ?? String(error));
    return errorResponse(id, "internal", `${error?.name ?? "Error"} in the adapter: ${error?.message ?? error}`);
  }
}

// -- the protocol loop ------------------------------------------------------------

function log(message) {
  process.stderr.write(`tinker-adapter.mjs: ${message}\n`);
}

function validId(id) {
  return Number.isInteger(id) && id >= 0;
}

/** A response as one line of JSON; one that JSON cannot carry becomes an
 * internal error for the same id. */
function encode(response) {
  try {
    return JSON.stringify(response);
  } catch (error) {
    return JSON.stringify(errorResponse(response.id, "internal", `the answer does not encode as JSON: ${error}`));
  }
}

const LEADING_ID = /^\s*\{\s*"id"\s*:\s*(\d+)\s*[,}]/;

/** The output line for one input line, or null when nothing may be answered
 * (no id to answer under). Sets `session.stopped` on stop. */
function answerLine(text, session) {
  const line = text.replace(/^\uFEFF/, "").trim();
  if (line === "") return null;
  let request;
  try {
    request = JSON.parse(line);
  } catch (error) {
    const leading = LEADING_ID.exec(line);
    if (leading === null) {
      log(`ignored a line without a readable id: ${error.message}: ${line.slice(0, 200)}`);
      return null;
    }
    return encode(errorResponse(Number(leading[1]), "internal", `malformed request: not JSON (${error.message})`));
  }
  if (request === null || typeof request !== "object" || Array.isArray(request) || !validId(request.id)) {
    log(`ignored a request without a valid id (an integer >= 0): ${line.slice(0, 200)}`);
    return null;
  }
  if (request.op === "batch") {
    if (!Array.isArray(request.requests)) {
      return encode(errorResponse(request.id, "internal", "malformed request: batch needs a list 'requests'"));
    }
    const parts = request.requests.map((item) => {
      if (item === null || typeof item !== "object" || Array.isArray(item) || !validId(item.id)) {
        return encode(
          errorResponse(request.id, "internal", "malformed request in batch: not an object with an id (integer >= 0)"),
        );
      }
      if (NOT_IN_BATCH.has(item.op)) {
        return encode(errorResponse(item.id, "internal", `malformed request: op ${item.op} is not allowed inside a batch`));
      }
      return encode(answer(item));
    });
    return `{"id":${request.id},"results":[${parts.join(",")}]}`;
  }
  const response = answer(request);
  if (response.stopped === true) session.stopped = true;
  return encode(response);
}

function main() {
  const session = { stopped: false };
  const lines = createInterface({ input: process.stdin, crlfDelay: Infinity, terminal: false });
  lines.on("line", (text) => {
    if (session.stopped) return;
    let out;
    try {
      out = answerLine(text, session);
    } catch (error) {
      // a bug of this file: tell the runner under the line's id if it has one
      log(error?.stack ?? String(error));
      const leading = LEADING_ID.exec(text.replace(/^\uFEFF/, ""));
      out = leading === null ? null : encode(errorResponse(Number(leading[1]), "internal", String(error)));
    }
    if (out === null) return;
    if (session.stopped) {
      lines.close();
      process.stdout.write(`${out}\n`, () => process.exit(0));
    } else {
      process.stdout.write(`${out}\n`);
    }
  });
  lines.on("close", () => {
    if (!session.stopped) log("end of input: exiting");
  });
  process.stdout.on("error", (error) => {
    log(`stdout: ${error.message}: exiting`);
    process.exit(0);
  });
}

// Run the protocol loop only as a program: port authors may import the classes.
if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) main();
