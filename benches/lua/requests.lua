-- wrk script of the benchmark suite: cycles through the requests in the file named by
-- BENCH_REQUESTS, one per line. With BENCH_METHOD=POST (the default) a line is a JSON body
-- sent to BENCH_PATH; with BENCH_METHOD=GET a line is a path (and query string).
-- Counts answers that carry GraphQL errors, and prints one summary line, "WRKJSON {...}".

local method = os.getenv("BENCH_METHOD") or "POST"
local path = os.getenv("BENCH_PATH") or "/api/graphql"
local file = os.getenv("BENCH_REQUESTS")
local headers = { ["Content-Type"] = "application/json" }

local threads = {}

function setup(thread)
  thread:set("thread_id", #threads)
  table.insert(threads, thread)
end

local lines = {}
local n = 0
gql_errors = 0
sample = ""

function init(args)
  for line in io.lines(file) do
    if #line > 0 then
      lines[#lines + 1] = line
    end
  end
  -- Threads start at different places of the list.
  n = (thread_id or 0) * 7919
end

function request()
  n = n + 1
  local line = lines[(n % #lines) + 1]
  if method == "GET" then
    return wrk.format("GET", line)
  end
  return wrk.format("POST", path, headers, line)
end

function response(status, hdrs, body)
  if status == 200 and string.find(body, '"errors":', 1, true) then
    gql_errors = gql_errors + 1
    if #sample == 0 then
      sample = string.sub(body, 1, 300)
    end
  elseif status ~= 200 and #sample == 0 then
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
