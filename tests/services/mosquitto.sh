# Sourced by tests/run.sh: starts mosquitto (MQTT broker) on a free loopback port with
# persistence in a temp folder. Exports PLATFORM_TEST_MQTT_PORT, and for tests that restart the
# broker PLATFORM_TEST_MQTT_BIN and PLATFORM_TEST_MQTT_CONFIG (they kill it by its PID file
# PLATFORM_TEST_MQTT_PIDFILE and start it again with the same config).
mosquitto_start() {
  local bin dir port pid i
  bin=$(command -v mosquitto || echo /usr/sbin/mosquitto)
  if [ ! -x "$bin" ]; then
    ensure_apt_updated
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq mosquitto >/dev/null 2>&1 || true
    bin=$(command -v mosquitto || echo /usr/sbin/mosquitto)
  fi
  if [ ! -x "$bin" ]; then echo "mosquitto: not installed; MQTT tests will fail" >&2; return 0; fi
  dir=$(mktemp -d /tmp/platform-mosquitto.XXXXXX)
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')
  cat > "$dir/mosquitto.conf" <<CONF
listener $port 127.0.0.1
allow_anonymous true
user $(id -un)
persistence true
persistence_location $dir/
autosave_interval 1
max_queued_messages 1000000
max_inflight_messages 1000
log_dest file $dir/mosquitto.log
CONF
  "$bin" -c "$dir/mosquitto.conf" >/dev/null 2>&1 &
  pid=$!
  echo "$pid" > "$dir/pid"
  for i in $(seq 1 50); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then break; fi
    sleep 0.1
  done
  export PLATFORM_TEST_MQTT_PORT=$port
  export PLATFORM_TEST_MQTT_BIN=$bin
  export PLATFORM_TEST_MQTT_CONFIG=$dir/mosquitto.conf
  export PLATFORM_TEST_MQTT_PIDFILE=$dir/pid
  # A test that restarts the broker rewrites the pid file; kill whichever pid is current.
  on_exit "kill \$(cat $dir/pid) 2>/dev/null; sleep 0.2; rm -rf $dir"
}
mosquitto_start
