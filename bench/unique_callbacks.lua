-- wrk script: POST the seed callback with a JobId no other request uses.
local threads = {}
local counter = 0
local template = nil
local seed = "c93984788066911ed89ed352d4d9d2084"

function setup(thread)
  thread:set("tid", #threads + 1)
  table.insert(threads, thread)
end

function init(args)
  local file = assert(io.open(args[1], "rb"))
  template = file:read("*a")
  file:close()
  prefix = args[2] or "b"
end

function request()
  counter = counter + 1
  local job_id = string.format("%s-%d-%d", prefix, tid, counter)
  local body = template:gsub(seed, job_id)
  return wrk.format("POST", nil, {["Content-Type"] = "application/xml"}, body)
end

function done(summary, latency, requests)
  local non_2xx = summary.errors.status
  io.write(string.format("RESULT requests=%d non2xx=%d socket_errors=%d seconds=%.3f\n",
    summary.requests, non_2xx,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    summary.duration / 1e6))
end
