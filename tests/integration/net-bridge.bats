#!/usr/bin/env bats
# Networks and published ports through `hull run`, inside a network
# namespace of the suite's own (tests/lib/net.bash): the host's loopback
# reaches published TCP and UDP ports, containers reach each other by name
# on a user network and not across networks, bad input leaves nothing, and
# after rm -f (also after kill -9 of a monitor) no veth, rule, lease or
# namespace mount is left.

load ../lib/net

setup_file() {
  net_setup_file
}

teardown_file() {
  net_teardown_file
}

teardown() {
  local ids
  ids=$(hull ps -aq 2>/dev/null) && [ -n "$ids" ] && hull rm -f $ids >/dev/null 2>&1
  true
}

@test "a published TCP port is reached from the host's loopback, hull port lists it" {
  hull run -d --name web -p 127.0.0.1:18080:80 bb:1 httpd -f -p 80 -h /www
  retry innet timeout 5 busybox wget -q -O - http://127.0.0.1:18080/
  [ "$status" -eq 0 ]
  [ "$output" = hello-www ]
  run hull port web
  [ "$output" = "80/tcp -> 127.0.0.1:18080" ]
  run hull port web 80
  [ "$output" = "127.0.0.1:18080" ]
  # the container has its address, a default route and lo up
  run hull exec web ip -o -4 addr
  [[ "$output" == *"lo"*"127.0.0.1/8"* ]]
  [[ "$output" == *"eth0"*"10.88.0."*"/16"* ]]
  run hull exec web ip route
  [[ "$output" == *"default via 10.88.0.1 dev eth0"* ]]
  # hull inspect shows the same address and the published port
  addr=$(hull exec web ip -o -4 addr show eth0 | awk '{print $4}' | cut -d/ -f1)
  run hull inspect web
  [ "$status" -eq 0 ]
  [ "$(echo "$output" | jq -r '.[0].NetworkSettings.IPAddress')" = "$addr" ]
  [ "$(echo "$output" | jq -r '.[0].NetworkSettings.Ports["80/tcp"][0].HostPort')" = 18080 ]
}

@test "a published UDP port is reached from the host's loopback" {
  hull run -d --name dns -p 127.0.0.1:15353:53/udp bb:1 probe udp-echo 53
  retry innet "$PROBE" udp-ask 127.0.0.1 15353 ping
  [ "$status" -eq 0 ]
  [ "$output" = "udp-ask=echo:ping" ]
}

@test "a port published on every address: reached from another container (hairpin) and from the host" {
  hull run -d --name web -p 18081:80 bb:1 httpd -f -p 80 -h /www
  retry hull run --rm bb:1 timeout 5 wget -q -O - http://10.88.0.1:18081/
  [ "$status" -eq 0 ]
  [ "$output" = hello-www ]
  run innet timeout 5 busybox wget -q -O - http://127.0.0.1:18081/
  [ "$output" = hello-www ]
}

@test "-P publishes every EXPOSEd port on ports the kernel picks" {
  hull run -d --name all -P bb:1 probe udp-echo 53
  run hull port all
  [ "${#lines[@]}" -eq 2 ]
  [[ "$output" == *"53/udp -> 0.0.0.0:"* ]]
  [[ "$output" == *"80/tcp -> 0.0.0.0:"* ]]
  port=$(hull port all 53/udp | cut -d: -f2)
  retry innet "$PROBE" udp-ask 127.0.0.1 "$port" auto
  [ "$output" = "udp-ask=echo:auto" ]
}

@test "containers on a user network reach each other by name and alias, not across networks" {
  hull network create --subnet 10.89.1.0/24 front
  hull network create --subnet 10.89.2.0/24 back
  hull run -d --name srv --network front --network-alias www bb:1 httpd -f -p 80 -h /www
  hull run -d --name other --network back --ip 10.89.2.50 bb:1 httpd -f -p 80 -h /www
  retry hull run --rm --network front bb:1 timeout 5 wget -q -O - http://srv/
  [ "$status" -eq 0 ]
  [ "$output" = hello-www ]
  run hull run --rm --network front bb:1 timeout 5 wget -q -O - http://www/
  [ "$output" = hello-www ]
  # across networks: no name, and the address is not reachable either
  run hull run --rm --network front bb:1 timeout 2 wget -q -O - http://other/
  [ "$status" -ne 0 ]
  run hull run --rm --network front bb:1 timeout 2 wget -q -O - http://10.89.2.50/
  [ "$status" -ne 0 ]
  # connected to the second network too, it reaches both, by name
  hull run -d --name both --network front bb:1 sleep 60
  hull network connect back both
  retry hull exec both timeout 5 wget -q -O - http://other/
  [ "$output" = hello-www ]
  run hull network inspect back
  [[ "$output" == *'"Name": "both"'* ]]
  hull network disconnect back both
  run hull exec both timeout 2 wget -q -O - http://10.89.2.50/
  [ "$status" -ne 0 ]
  # in use: refused
  run hull network rm front
  [ "$status" -ne 0 ]
  [[ "$output" == *"network \`front\` has 2 active endpoints"* ]]
  hull rm -f srv other both
  hull network rm front back
  run hull network ls --format '{{.Name}}'
  [ "$output" = bridge ]
}

@test "--network none, host and container:ID" {
  run hull run --rm --network none bb:1 ip -o link
  [ "$status" -eq 0 ]
  [[ "$output" != *eth0* ]]
  hull run -d --name base bb:1 sleep 60
  ip=$(hull exec base ip -o -4 addr show eth0 | awk '{print $4}')
  run hull run --rm --network container:base bb:1 ip -o -4 addr show eth0
  [[ "$output" == *"$ip"* ]]
}

@test "bad input: a clear error and nothing left behind" {
  run hull run -d -p 80:80:80:80 bb:1 true
  [ "$status" -ne 0 ]
  [[ "$output" == *"invalid port specification \`80:80:80:80\`"* ]]
  run hull run -d -p 99999:80 bb:1 true
  [[ "$output" == *"invalid port specification"* ]]
  hull run -d --name first -p 18090:80 bb:1 sleep 60
  run hull run -d --name second -p 18090:80 bb:1 sleep 60
  [ "$status" -ne 0 ]
  [[ "$output" == *"port 0.0.0.0:18090/tcp is already published by container"* ]]
  # a host process listening on the port
  # not through the innet function: $! must be the listener itself, and it
  # must not hold bats' fd 3 (a leftover would hang the suite)
  nsenter --net="$NS" busybox nc -l -p 18091 -e true 3>&- &
  pid=$!
  sleep 0.2
  run hull run -d --name third -p 127.0.0.1:18091:80 bb:1 sleep 60
  kill $pid 2>/dev/null; wait $pid 2>/dev/null || true
  [ "$status" -ne 0 ]
  [[ "$output" == *"port 127.0.0.1:18091/tcp is already in use on the host"* ]]
  run hull network create --subnet 10.88.5.0/24 clash
  [ "$status" -ne 0 ]
  [[ "$output" == *"overlaps network \`bridge\`"* ]]
  run hull network create --subnet 10.300.0.0/24 bad
  [[ "$output" == *"invalid subnet \`10.300.0.0/24\`"* ]]
  run hull run --rm --network nosuch bb:1 true
  [[ "$output" == *"network \`nosuch\` not found"* ]]
  run hull run --rm --ip 10.88.0.9 bb:1 true
  [[ "$output" == *"user-defined networks only"* ]]
  hull rm -f first
  run hull ps -aq
  echo "$output"
  [ -z "$output" ]
  run net_leftovers
  [ -z "$output" ]
  run hull network ls -q
  [ "${#lines[@]}" -eq 1 ]
}

@test "50 concurrent hull run -d get distinct addresses; rm -f and kill -9 of a monitor leave nothing" {
  for i in $(seq 1 50); do
    hull run -d --name c$i bb:1 sleep 300 >"$NT/id.$i" &
  done
  wait
  run hull ps -q
  [ "${#lines[@]}" -eq 50 ]
  ips=$(for i in $(seq 1 50); do hull exec c$i ip -o -4 addr show eth0 | awk '{print $4}'; done | sort -u | wc -l)
  [ "$ips" -eq 50 ]
  # a monitor killed: the next hull call reconciles, its network is gone
  veth_before=$(our_links | wc -l)
  pid=$(jq .pid "$NT/run/containers/$(cat "$NT/id.1")/state.json")
  mon=$(ps -o ppid= -p "$pid" | tr -d ' ')
  [ "$(cat /proc/$mon/comm)" = hull-monitor ]
  kill -9 "$mon"
  hull ps -a >/dev/null
  [ "$(our_links | wc -l)" -eq $((veth_before - 1)) ]
  hull rm -f $(hull ps -aq) >/dev/null
  run net_leftovers
  [ -z "$output" ]
}
