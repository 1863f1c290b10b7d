# Sourced by tests/run.sh (needs its on_exit). Starts kinesis-local (kinesis-mock on node) bound to
# 127.0.0.1 and exports PLATFORM_TEST_KINESIS_ENDPOINT for tests/Platform.Aws.Tests.
# Every wait is bounded; on any failure nothing is exported and the Kinesis tests say why.
kinesis_local_start() {
  local dir here port tls_port tmp pid i
  here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
  dir="$here/node_modules/kinesis-local"
  if ! command -v node >/dev/null 2>&1; then echo "kinesis-local: node not found" >&2; return 0; fi
  if [ ! -f "$dir/main.js" ]; then
    if ! command -v npm >/dev/null 2>&1; then echo "kinesis-local: npm not found" >&2; return 0; fi
    (cd "$here" && timeout 180 npm ci --no-audit --no-fund --silent >/dev/null 2>&1) \
      || (cd "$here" && timeout 180 npm install --no-audit --no-fund --silent >/dev/null 2>&1) \
      || { echo "kinesis-local: npm install failed" >&2; return 0; }
  fi
  port=$(kinesis_local_free_port) || return 0
  tls_port=$(kinesis_local_free_port) || return 0
  [ "$port" = "$tls_port" ] && tls_port=$(kinesis_local_free_port)
  tmp=$(mktemp -d)
  (
    cd "$dir" || exit 1
    KINESIS_MOCK_PLAIN_PORT=$port KINESIS_MOCK_TLS_PORT=$tls_port KINESIS_MOCK_CERT_PATH="$dir/server.json" \
      LOG_LEVEL=WARN ROOT_LOG_LEVEL=ERROR CREATE_STREAM_DURATION=100ms DELETE_STREAM_DURATION=100ms \
      SPLIT_SHARD_DURATION=100ms MERGE_SHARDS_DURATION=100ms UPDATE_SHARD_COUNT_DURATION=100ms \
      exec node -r "$here/loopback-preload.js" main.js >"$tmp/kinesis.log" 2>&1
  ) &
  pid=$!
  on_exit "kill $pid; rm -rf '$tmp'"
  for i in $(seq 1 60); do
    if curl -s -o /dev/null -m 1 "http://127.0.0.1:$port/" 2>/dev/null; then
      export PLATFORM_TEST_KINESIS_ENDPOINT="http://127.0.0.1:$port"
      echo "kinesis-local on $PLATFORM_TEST_KINESIS_ENDPOINT (pid $pid)"
      return 0
    fi
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.5
  done
  echo "kinesis-local did not start; log:" >&2
  tail -20 "$tmp/kinesis.log" >&2 2>/dev/null
  return 0
}

kinesis_local_free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()' 2>/dev/null \
    || node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close();})'
}

kinesis_local_start
