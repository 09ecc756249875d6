// A small Tinker client with no dependencies (Node's fetch), for the serve tests.
//
//   node defective_client.mjs BASE_URL [DEFECT,...]
//
// Without defects it makes five calls the way the reference SDK does:
// session heartbeat, create_model (retried on 408/409/429/5xx with the same
// X-Idempotency-Key, after retry-after-ms or retry-after), create_session, the
// checkpoint archive URL (the 302 is read, never followed), and reading a
// future (retrieve_future, polled again while it answers try_again). Each
// defect breaks one of these the way ports have been seen to (seeds/002):
//   wrong-heartbeat-path   POST /api/v1/heartbeat
//   follows-redirect       fetch follows the archive's 302 (redirect: "follow")
//   new-idempotency-key    a fresh key on every retry
//   extra-body-field       create_session sends client_name, which the type lacks
//   stops-polling          a try_again future is returned as it is, never polled again
// One line per call on stdout says how it ended.
import { randomUUID } from "node:crypto";

const [base, defectList = ""] = process.argv.slice(2);
const defects = new Set(defectList.split(",").filter(Boolean));
const RETRYABLE = new Set([408, 409, 429]);
const MAX_RETRIES = 5;

function headers(extra = {}) {
  return { "x-api-key": "tml-dummy", ...extra };
}

async function post(path, body) {
  let key = randomUUID();
  for (let attempt = 0; ; attempt++) {
    const response = await fetch(base + path, {
      method: "POST",
      headers: headers({ "content-type": "application/json", "x-idempotency-key": key }),
      body: JSON.stringify(body),
    });
    const retryable =
      (RETRYABLE.has(response.status) || response.status >= 500) &&
      response.headers.get("x-should-retry") !== "false";
    if (!retryable || attempt >= MAX_RETRIES) {
      return response;
    }
    await response.arrayBuffer();
    const ms = Number(response.headers.get("retry-after-ms") ??
      1000 * Number(response.headers.get("retry-after") ?? "0.5"));
    await new Promise((resolve) => setTimeout(resolve, Math.min(ms, 2000)));
    if (defects.has("new-idempotency-key")) {
      key = randomUUID();
    }
  }
}

async function archiveUrl(modelId, checkpointId) {
  const response = await fetch(
    `${base}/api/v1/training_runs/${modelId}/checkpoints/${checkpointId}/archive`,
    {
      headers: headers({ accept: "application/gzip" }),
      redirect: defects.has("follows-redirect") ? "follow" : "manual",
    },
  );
  await response.arrayBuffer();
  if (response.status !== 302) {
    return `status ${response.status}`;
  }
  return `url ${response.headers.get("location")} expires ${response.headers.get("expires")}`;
}

async function readFuture(requestId) {
  for (let poll = 0; poll < 10; poll++) {
    const response = await post("/api/v1/retrieve_future", { request_id: requestId });
    const body = await response.json();
    if (body.type !== "try_again" || defects.has("stops-polling")) {
      return `status ${response.status} ${body.type ?? Object.keys(body).join(",")}`;
    }
  }
  return "still try_again";
}

async function report(name, promise) {
  try {
    const outcome = await promise;
    if (outcome instanceof Response) {
      await outcome.arrayBuffer();
      console.log(name, "status", outcome.status);
    } else {
      console.log(name, outcome);
    }
  } catch (error) {
    console.log(name, "error", String(error));
  }
}

const heartbeat = defects.has("wrong-heartbeat-path") ? "/api/v1/heartbeat" : "/api/v1/session_heartbeat";
await report("heartbeat", post(heartbeat, { session_id: "sess-node" }));
await report(
  "create_model",
  post("/api/v1/create_model", { session_id: "sess-node", model_seq_id: 1, base_model: "Qwen/Qwen3-8B" }),
);
const session = { tags: [], user_metadata: {}, sdk_version: "0.15.0" };
if (defects.has("extra-body-field")) {
  session.client_name = "node-port";
}
await report("create_session", post("/api/v1/create_session", session));
await report("archive_url", archiveUrl("run-node", "weights/0001"));
await report("retrieve_future", readFuture("req-node"));
