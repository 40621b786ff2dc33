-- wrk script of the benchmark suite: DataHub ingestion through
-- POST /aspects?action=ingestProposalBatch, BENCH_BATCH proposals per request (200, the SDK's
-- chunk size), every one a new aspect (so no write is a no-op): features derived from the
-- source datasets in BENCH_SOURCES (space-separated URNs) and, every tenth proposal, a feature
-- table listing the ten features before it. BENCH_RUN keeps the URNs of runs apart.
-- With BENCH_MODE=graphql, each request is instead one upsertMLFeature mutation (one aspect).
-- With BENCH_MODE=openlineage, each request is one OpenLineage RunEvent (COMPLETE) to
-- POST /api/v1/lineage of a new job and run: 5 inputs (from a pool of 20 source tables, each
-- with its schema), 2 new outputs, each with a schema of 4 fields and a column-lineage facet
-- naming input fields.

local mode = os.getenv("BENCH_MODE") or "batch"
local batch = tonumber(os.getenv("BENCH_BATCH") or "200")
local run = os.getenv("BENCH_RUN") or "0"
local sources = {}
for s in string.gmatch(os.getenv("BENCH_SOURCES") or "", "%S+") do
  sources[#sources + 1] = s
end
local headers = { ["Content-Type"] = "application/json" }

local threads = {}

function setup(thread)
  thread:set("thread_id", #threads)
  table.insert(threads, thread)
end

local n = 0
gql_errors = 0
sample = ""

local function escape(s)
  return (string.gsub(string.gsub(s, "\\", "\\\\"), '"', '\\"'))
end

local function proposal(entity_type, urn, aspect, value)
  return string.format(
    '{"entityType":"%s","entityUrn":"%s","changeType":"UPSERT","aspectName":"%s","aspect":{"value":"%s","contentType":"application/json"},"systemMetadata":{"lastObserved":0,"runId":"bench-%s"}}',
    entity_type, urn, aspect, escape(value), run)
end

local function feature(table_name, i)
  return string.format("urn:li:mlFeature:(%s,f%d)", table_name, i)
end

local ol_facet = '"_producer":"https://example.com/bench","_schemaURL":"https://openlineage.io/spec/facets/1-0-0/Facet.json"'
local ol_fields = { "id", "a", "b", "c" }

local function ol_schema()
  local fields = {}
  for _, f in ipairs(ol_fields) do
    fields[#fields + 1] = string.format('{"name":"%s","type":"int"}', f)
  end
  return '"schema":{' .. ol_facet .. ',"fields":[' .. table.concat(fields, ",") .. ']}'
end

local function ol_event(table_name)
  local run_digits = tonumber((string.gsub(run, "%D", ""))) or 0
  local run_id = string.format("%08d-%04d-4000-8000-%012d", run_digits % 100000000,
    (thread_id or 0) % 10000, n % 1000000000000)
  local inputs = {}
  local names = {}
  for k = 0, 4 do
    local name = string.format("bench.src_%d", (n + k * 3) % 20)
    names[#names + 1] = name
    inputs[#inputs + 1] = string.format('{"namespace":"postgres://bench:5432","name":"%s","facets":{%s}}',
      name, ol_schema())
  end
  local outputs = {}
  for o = 0, 1 do
    local cols = {}
    for fi, f in ipairs(ol_fields) do
      cols[#cols + 1] = string.format(
        '"%s":{"inputFields":[{"namespace":"postgres://bench:5432","name":"%s","field":"%s"},{"namespace":"postgres://bench:5432","name":"%s","field":"id"}]}',
        f, names[(fi + o) % 5 + 1], f, names[(fi + o + 1) % 5 + 1])
    end
    outputs[#outputs + 1] = string.format(
      '{"namespace":"s3://bench","name":"%s/out_%d","facets":{%s,"columnLineage":{%s,"fields":{%s}}}}',
      table_name, o, ol_schema(), ol_facet, table.concat(cols, ","))
  end
  return string.format(
    '{"eventType":"COMPLETE","eventTime":"2026-01-31T12:00:00Z","producer":"https://example.com/bench","schemaURL":"https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent","run":{"runId":"%s"},"job":{"namespace":"bench","name":"%s"},"inputs":[%s],"outputs":[%s]}',
    run_id, table_name, table.concat(inputs, ","), table.concat(outputs, ","))
end

function request()
  n = n + 1
  local table_name = string.format("ingest_%s_t%d_r%d", run, thread_id or 0, n)
  if mode == "openlineage" then
    return wrk.format("POST", "/api/v1/lineage", headers, ol_event(table_name))
  end
  if mode == "graphql" then
    local body = string.format(
      '{"query":"mutation($input: UpsertMLFeatureInput!) { upsertMLFeature(input: $input) { urn } }","variables":{"input":{"featureNamespace":"%s","name":"f","description":"ingested through GraphQL","dataType":"CONTINUOUS","sources":["%s"]}}}',
      table_name, sources[(n % #sources) + 1])
    return wrk.format("POST", "/api/graphql", headers, body)
  end
  local out = {}
  local i = 0
  while #out < batch do
    local source = sources[((n + i) % #sources) + 1]
    out[#out + 1] = proposal("mlFeature", feature(table_name, i), "mlFeatureProperties",
      string.format('{"customProperties":{"i":"%d"},"description":"feature %d","dataType":"CONTINUOUS","sources":["%s"]}', i, i, source))
    if i % 10 == 9 and #out < batch then
      local members = {}
      for j = i - 9, i do
        members[#members + 1] = '"' .. feature(table_name, j) .. '"'
      end
      out[#out + 1] = proposal("mlFeatureTable",
        string.format("urn:li:mlFeatureTable:(urn:li:dataPlatform:feast,%s_%d)", table_name, math.floor(i / 10)),
        "mlFeatureTableProperties",
        '{"customProperties":{},"mlFeatures":[' .. table.concat(members, ",") .. ']}')
    end
    i = i + 1
  end
  return wrk.format("POST", "/aspects?action=ingestProposalBatch", headers,
    '{"proposals":[' .. table.concat(out, ",") .. ']}')
end

function response(status, hdrs, body)
  if status == 200 and string.find(body, '"errors":', 1, true) then
    gql_errors = gql_errors + 1
    if #sample == 0 then
      sample = string.sub(body, 1, 300)
    end
  elseif status >= 300 and #sample == 0 then
    sample = status .. " " .. string.sub(body or "", 1, 300)
  end
end

-- Text made safe inside a JSON string.
local function json_text(s)
  return (string.gsub(string.gsub(s, "[%c\\\"]", " "), "[\128-\255]", "?"))
end

function done(summary, latency, requests)
  local errors, first = 0, ""
  for _, t in ipairs(threads) do
    errors = errors + (t:get("gql_errors") or 0)
    local s = t:get("sample")
    if s and #s > 0 and #first == 0 then
      first = s
    end
  end
  local e = summary.errors
  io.write(string.format(
    'WRKJSON {"requests":%d,"duration_us":%d,"non2xx":%d,"connect_errors":%d,"read_errors":%d,"write_errors":%d,"timeouts":%d,"gql_errors":%d,"p50_us":%d,"p90_us":%d,"p99_us":%d,"max_us":%d,"mean_us":%.1f,"bytes":%d,"sample":"%s"}\n',
    summary.requests, summary.duration, e.status, e.connect, e.read, e.write, e.timeout,
    errors, latency:percentile(50), latency:percentile(90), latency:percentile(99),
    latency.max, latency.mean, summary.bytes, json_text(first)))
end
